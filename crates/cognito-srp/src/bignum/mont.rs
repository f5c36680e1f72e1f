//! Montgomery multiplication and squaring modulo N, product scanning.
//!
//! Both kernels use finely integrated product scanning (FIPS, Koç et al.):
//! column `k` of the result sums every `a[j]·b[k−j]` and every `m[j]·N[k−j]`
//! into a three-word accumulator, and the Montgomery digit `m[k]` is taken
//! from the accumulator as soon as column `k` is complete. No 96-limb
//! intermediate is written back and forth, and no carry has to ripple along
//! a row after every product, which is what held the operand-scanning (CIOS)
//! loops back: they measured 1.6× slower for a multiplication and 1.25× for
//! a squaring on the 2-core AMD EPYC (Zen 2) development machine.
//!
//! What the compiler makes of it (x86-64, `objdump -d` of the release
//! build): each product is one `mul` with a memory operand and an
//! `add`/`adc`/`adc` into the accumulator. Every loop feeds two
//! independent carry chains — the multiplication's a·b and m·N terms of a
//! column, the squaring's terms of two neighbouring columns — because one
//! chain per loop measured about 10% slower, and the squaring's loops
//! (one per two columns) are what made it cheaper than a multiplication.
//!
//! Tried and dropped (measured slower or within noise): Karatsuba at 24,
//! 12 and 6 limbs (at these sizes its additions and short columns cost
//! more than the products it saves), three-stream squaring columns, four
//! chains per multiplication loop, columns unrolled by const generics
//! (5% for 74 KiB of code), and `-C target-cpu=native` (no change).
//!
//! N ≡ −1 (mod 2⁶⁴), so −N⁻¹ mod 2⁶⁴ = 1: the digit `m[k]` is the
//! accumulator's low word itself, and adding `m[k]·N[0] = m[k]·2⁶⁴ − m[k]`
//! just moves that word up one column. No multiplication is spent on either.

// Carry chains over parallel limb arrays read best with one index.
#![allow(clippy::needless_range_loop)]

use zeroize::Zeroize;

use super::{LIMBS, N, N_NEG_INV, select, sub};

const _: () = assert!(N_NEG_INV == 1, "the kernels rely on N ≡ −1 (mod 2⁶⁴)");

/// N with its limbs in reverse order, so that `N[k−j]` for ascending `j`
/// is an ascending slice.
const N_REV: [u64; LIMBS] = reversed(&N);

const fn reversed(x: &[u64; LIMBS]) -> [u64; LIMBS] {
    let mut out = [0u64; LIMBS];
    let mut i = 0;
    while i < LIMBS {
        out[i] = x[LIMBS - 1 - i];
        i += 1;
    }
    out
}

/// A column sum of up to 2⁶⁴ products of two words: 192 bits.
#[derive(Clone, Copy, Default)]
struct Column {
    c0: u64,
    c1: u64,
    c2: u64,
}

impl Column {
    /// `self += x·y`.
    #[inline(always)]
    fn mac(&mut self, x: u64, y: u64) {
        let (lo, hi) = x.carrying_mul(y, 0);
        let (s0, k0) = self.c0.overflowing_add(lo);
        let (s1, k1) = self.c1.carrying_add(hi, k0);
        self.c0 = s0;
        self.c1 = s1;
        self.c2 = self.c2.wrapping_add(k1 as u64);
    }

    /// `self += w`.
    #[inline(always)]
    fn add_word(&mut self, w: u64) {
        let (s0, k0) = self.c0.overflowing_add(w);
        let (s1, k1) = self.c1.overflowing_add(k0 as u64);
        self.c0 = s0;
        self.c1 = s1;
        self.c2 = self.c2.wrapping_add(k1 as u64);
    }

    /// `self += other`.
    #[inline(always)]
    fn merge(&mut self, other: Column) {
        let (s0, k0) = self.c0.overflowing_add(other.c0);
        let (s1, k1) = self.c1.carrying_add(other.c1, k0);
        self.c0 = s0;
        self.c1 = s1;
        self.c2 = self.c2.wrapping_add(other.c2).wrapping_add(k1 as u64);
    }

    /// `self *= 2` (the sums doubled here stay far below 2¹⁹¹).
    #[inline(always)]
    fn double(&mut self) {
        self.c2 = (self.c2 << 1) | (self.c1 >> 63);
        self.c1 = (self.c1 << 1) | (self.c0 >> 63);
        self.c0 <<= 1;
    }

    /// Returns the low word and shifts the rest down: the next column.
    #[inline(always)]
    fn shift(&mut self) -> u64 {
        let low = self.c0;
        self.c0 = self.c1;
        self.c1 = self.c2;
        self.c2 = 0;
        low
    }

    /// Ends a column below N's width: the low word is the Montgomery digit
    /// `m`, and adding `m·N[0] = m·2⁶⁴ − m` clears it and carries `m` up.
    #[inline(always)]
    fn take_digit(&mut self) -> u64 {
        let m = self.shift();
        self.add_word(m);
        m
    }
}

/// `first += Σ x[i]·y[i]`, `second += Σ p[i]·q[i]`, in one loop of two
/// independent carry chains. All four slices have `x`'s length.
#[inline(always)]
fn dot_pair(first: &mut Column, second: &mut Column, x: &[u64], y: &[u64], p: &[u64], q: &[u64]) {
    let len = x.len();
    let (y, p, q) = (&y[..len], &p[..len], &q[..len]);
    for i in 0..len {
        first.mac(x[i], y[i]);
        second.mac(p[i], q[i]);
    }
}

/// `first += Σ x[i]·y[i]`, `second += Σ x[i]·z[i]`: two columns that share
/// the operand `x`, in one loop of two carry chains. `y` and `z` are at
/// least as long as `x`.
#[inline(always)]
fn dot_pair_shared(first: &mut Column, second: &mut Column, x: &[u64], y: &[u64], z: &[u64]) {
    let len = x.len();
    let (y, z) = (&y[..len], &z[..len]);
    for i in 0..len {
        first.mac(x[i], y[i]);
        second.mac(x[i], z[i]);
    }
}

/// The result of REDC is below 2N: subtract N once when it is at least N.
#[inline(always)]
fn final_subtraction(mut out: [u64; LIMBS], carry: u64) -> [u64; LIMBS] {
    let (diff, borrow) = sub(&out, &N);
    let result = select(carry | (borrow ^ 1), &diff, &out);
    out.zeroize();
    result
}

/// `a·b·R⁻¹ mod N` for `a, b < N` (R = 2^3072).
pub(super) fn mont_mul(a: &[u64; LIMBS], b: &[u64; LIMBS]) -> [u64; LIMBS] {
    let mut b_rev = reversed(b);
    let mut m = [0u64; LIMBS];
    let mut out = [0u64; LIMBS];
    let mut acc = Column::default();
    for k in 0..LIMBS {
        // a[j]·b[k−j] for j ≤ k, m[j]·N[k−j] for j < k (m[k]·N[0] is in take_digit).
        let mut reduction = Column::default();
        let rev = LIMBS - 1 - k;
        dot_pair(
            &mut acc,
            &mut reduction,
            &a[..k],
            &b_rev[rev..],
            &m[..k],
            &N_REV[rev..],
        );
        acc.mac(a[k], b[0]);
        acc.merge(reduction);
        m[k] = acc.take_digit();
    }
    for k in LIMBS..2 * LIMBS - 1 {
        let low = k + 1 - LIMBS;
        let mut reduction = Column::default();
        dot_pair(
            &mut acc,
            &mut reduction,
            &a[low..],
            &b_rev,
            &m[low..],
            &N_REV,
        );
        acc.merge(reduction);
        out[k - LIMBS] = acc.shift();
    }
    out[LIMBS - 1] = acc.shift();
    b_rev.zeroize();
    m.zeroize();
    final_subtraction(out, acc.c0)
}

/// `a²·R⁻¹ mod N` for `a < N`: each cross product once, doubled per column,
/// and two columns per loop.
///
/// Columns k and k+1 share most operands — `a[j]` against `a[k−j]` and
/// `a[k+1−j]`, `m[j]` against `N[k−j]` and `N[k+1−j]` — so one loop feeds
/// both columns' carry chains from one load of `a[j]` or `m[j]`. That
/// halves the loops (and their unpredictable exits) per squaring; it
/// measured 12% faster than one column per loop. (For the multiplication,
/// four chains in one loop spill registers and measured 5% slower.)
pub(super) fn mont_sqr(a: &[u64; LIMBS]) -> [u64; LIMBS] {
    let mut a_rev = reversed(a);
    let mut m = [0u64; LIMBS];
    let mut out = [0u64; LIMBS];
    let mut acc = Column::default();
    // k even: columns k and k + 1, up to column 2·LIMBS − 3.
    for k in (0..2 * LIMBS - 2).step_by(2) {
        // Cross products a[j]·a[k−j] with j < k−j, and a[j]·a[k+1−j] with
        // j < k+1−j. Column k may start one index lower (j = low), column
        // k + 1 goes one index higher (j = k/2).
        let low = k.saturating_sub(LIMBS - 1);
        let shared_low = (k + 1).saturating_sub(LIMBS - 1);
        let half = k / 2;
        let (mut cross, mut cross_next) = (Column::default(), Column::default());
        if low < shared_low {
            cross.mac(a[low], a[k - low]);
        }
        dot_pair_shared(
            &mut cross,
            &mut cross_next,
            &a[shared_low..half.max(shared_low)],
            &a_rev[LIMBS - 1 + shared_low - k..],
            &a_rev[LIMBS - 2 + shared_low - k..],
        );
        cross_next.mac(a[half], a[k + 1 - half]);
        cross.double();
        cross_next.double();
        cross.mac(a[half], a[half]);

        // Reduction products m[j]·N[k−j] and m[j]·N[k+1−j].
        let (mut red, mut red_next) = (Column::default(), Column::default());
        if k < LIMBS {
            // j < k for both; column k + 1's m[k]·N[1] waits for m[k].
            dot_pair_shared(
                &mut red,
                &mut red_next,
                &m[..k],
                &N_REV[LIMBS - 1 - k..],
                &N_REV[LIMBS - 2 - k..],
            );
            acc.merge(cross);
            acc.merge(red);
            m[k] = acc.take_digit();
            acc.merge(cross_next);
            acc.merge(red_next);
            acc.mac(m[k], N[1]);
            m[k + 1] = acc.take_digit();
        } else {
            // j ≥ low for column k, j ≥ low + 1 for column k + 1.
            red.mac(m[low], N[k - low]);
            dot_pair_shared(
                &mut red,
                &mut red_next,
                &m[low + 1..],
                &N_REV[LIMBS + low - k..],
                &N_REV[LIMBS - 1 + low - k..],
            );
            acc.merge(cross);
            acc.merge(red);
            out[k - LIMBS] = acc.shift();
            acc.merge(cross_next);
            acc.merge(red_next);
            out[k + 1 - LIMBS] = acc.shift();
        }
    }
    // Column 2·LIMBS − 2 has one term of each kind.
    acc.mac(a[LIMBS - 1], a[LIMBS - 1]);
    acc.mac(m[LIMBS - 1], N[LIMBS - 1]);
    out[LIMBS - 2] = acc.shift();
    out[LIMBS - 1] = acc.shift();
    a_rev.zeroize();
    m.zeroize();
    final_subtraction(out, acc.c0)
}

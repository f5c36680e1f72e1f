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
//! `add`/`adc`/`adc` into the accumulator. The column's two dot products
//! (or two halves of one) run in one loop with separate accumulators, so
//! two independent carry chains interleave; one chain per loop measured
//! about 10% slower. Karatsuba was tried at 24, 12 and 6 limbs and lost
//! every time: at these sizes its additions and short columns cost more
//! than the products it saves.
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

/// `acc += Σ x[i]·y[i]` over `x`'s length, alternating two carry chains.
#[inline(always)]
fn dot(acc: &mut Column, x: &[u64], y: &[u64]) {
    let y = &y[..x.len()];
    let mut odd = Column::default();
    let mut xs = x.chunks_exact(2);
    let mut ys = y.chunks_exact(2);
    for (x2, y2) in (&mut xs).zip(&mut ys) {
        acc.mac(x2[0], y2[0]);
        odd.mac(x2[1], y2[1]);
    }
    for (x, y) in xs.remainder().iter().zip(ys.remainder()) {
        acc.mac(*x, *y);
    }
    acc.merge(odd);
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

/// `a²·R⁻¹ mod N` for `a < N`: each cross product once, doubled per column.
pub(super) fn mont_sqr(a: &[u64; LIMBS]) -> [u64; LIMBS] {
    let mut a_rev = reversed(a);
    let mut m = [0u64; LIMBS];
    let mut out = [0u64; LIMBS];
    let mut acc = Column::default();
    for k in 0..2 * LIMBS - 1 {
        // Cross products a[j]·a[k−j] for low ≤ j < k−j.
        let low = k.saturating_sub(LIMBS - 1);
        let high = k.div_ceil(2);
        let mut cross = Column::default();
        dot(
            &mut cross,
            &a[low..high.max(low)],
            &a_rev[LIMBS - 1 - k + low..],
        );
        cross.double();
        if k % 2 == 0 {
            cross.mac(a[k / 2], a[k / 2]);
        }
        acc.merge(cross);
        if k < LIMBS {
            dot(&mut acc, &m[..k], &N_REV[LIMBS - 1 - k..]);
            m[k] = acc.take_digit();
        } else {
            dot(&mut acc, &m[low..], &N_REV);
            out[k - LIMBS] = acc.shift();
        }
    }
    out[LIMBS - 1] = acc.shift();
    a_rev.zeroize();
    m.zeroize();
    final_subtraction(out, acc.c0)
}

//! Modular arithmetic modulo the 3072-bit group prime N, and nothing else.
//!
//! Every modular operation in this crate goes through this module, so a faster
//! backend can replace it without touching the protocol code.
//!
//! Design:
//! - numbers are fixed arrays of 48 little-endian `u64` limbs, so there is no
//!   allocation and no length-dependent branching;
//! - multiplication is Montgomery CIOS specialised to 48 limbs, with the final
//!   subtraction done by masking, not branching;
//! - exponentiation uses a fixed 5-bit window whose table entry is fetched by
//!   scanning the whole table, so the memory access pattern does not depend on
//!   the (secret) exponent. Only the exponent's *bit bound* (a public size class)
//!   shapes the running time.
//!
//! `num-bigint` serves as the test oracle for all of this (see the tests below).

// Carry chains over parallel limb arrays read best with one index.
#![allow(clippy::needless_range_loop)]

use std::sync::OnceLock;
use zeroize::Zeroize;

/// Limbs in a 3072-bit number.
pub(crate) const LIMBS: usize = 48;
/// Bytes in a 3072-bit number.
pub(crate) const BYTES: usize = LIMBS * 8;
const WINDOW: usize = 5;
const TABLE: usize = 1 << WINDOW;

/// The RFC 3526 3072-bit MODP prime, little-endian limbs (checked against the
/// hex in `group.rs` by a test).
pub(crate) const N: [u64; LIMBS] = n_limbs();

const fn n_limbs() -> [u64; LIMBS] {
    // Parsed at compile time from the canonical hex, so the constant cannot drift
    // from the documented value.
    let hex = crate::group::N_HEX.as_bytes();
    let mut out = [0u64; LIMBS];
    let mut i = 0;
    while i < LIMBS {
        let mut limb = 0u64;
        let mut j = 0;
        while j < 16 {
            let c = hex[hex.len() - 16 * (i + 1) + j];
            let d = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => panic!("N_HEX is not hex"),
            };
            limb = (limb << 4) | d as u64;
            j += 1;
        }
        out[i] = limb;
        i += 1;
    }
    out
}

/// -N⁻¹ mod 2⁶⁴, by Newton iteration at compile time.
const N_NEG_INV: u64 = {
    let mut inv = 1u64;
    let mut i = 0;
    while i < 7 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(N[0].wrapping_mul(inv)));
        i += 1;
    }
    inv.wrapping_neg()
};

/// An integer in `[0, 2^3072)`, little-endian limbs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Uint(pub(crate) [u64; LIMBS]);

impl std::fmt::Debug for Uint {
    // Uints hold secrets (x, S) as often as public values: print nothing.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Uint(<redacted>)")
    }
}

impl Zeroize for Uint {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

impl Uint {
    pub(crate) const ZERO: Uint = Uint([0; LIMBS]);

    pub(crate) fn from_u64(v: u64) -> Uint {
        let mut out = Uint::ZERO;
        out.0[0] = v;
        out
    }

    /// Reads big-endian bytes. `None` when the value needs more than 3072 bits.
    pub(crate) fn from_be_bytes(bytes: &[u8]) -> Option<Uint> {
        let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
        let bytes = &bytes[first..];
        if bytes.len() > BYTES {
            return None;
        }
        let mut out = Uint::ZERO;
        for (i, &b) in bytes.iter().rev().enumerate() {
            out.0[i / 8] |= (b as u64) << (8 * (i % 8));
        }
        Some(out)
    }

    /// Minimal big-endian bytes (empty for zero).
    pub(crate) fn to_be_bytes(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(BYTES);
        for limb in self.0.iter().rev() {
            out.extend_from_slice(&limb.to_be_bytes());
        }
        let first = out.iter().position(|&b| b != 0).unwrap_or(out.len());
        out.drain(..first);
        out
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.0.iter().fold(0u64, |acc, &l| acc | l) == 0
    }

    /// `self mod N`. Every `Uint` is below 2^3072 < 2N, so one masked
    /// subtraction suffices.
    pub(crate) fn reduce(self) -> Uint {
        let (diff, borrow) = sub(&self.0, &N);
        Uint(select(borrow, &self.0, &diff))
    }
}

/// `a - b` and the final borrow (1 when `a < b`).
fn sub(a: &[u64; LIMBS], b: &[u64; LIMBS]) -> ([u64; LIMBS], u64) {
    let mut out = [0u64; LIMBS];
    let mut borrow = 0u64;
    for i in 0..LIMBS {
        let (d1, b1) = a[i].overflowing_sub(b[i]);
        let (d2, b2) = d1.overflowing_sub(borrow);
        out[i] = d2;
        borrow = (b1 | b2) as u64;
    }
    (out, borrow)
}

/// `a + b` and the final carry.
fn add(a: &[u64; LIMBS], b: &[u64; LIMBS]) -> ([u64; LIMBS], u64) {
    let mut out = [0u64; LIMBS];
    let mut carry = 0u64;
    for i in 0..LIMBS {
        let (s1, c1) = a[i].overflowing_add(b[i]);
        let (s2, c2) = s1.overflowing_add(carry);
        out[i] = s2;
        carry = (c1 | c2) as u64;
    }
    (out, carry)
}

/// `if choice == 1 { a } else { b }` without branching on `choice`.
fn select(choice: u64, a: &[u64; LIMBS], b: &[u64; LIMBS]) -> [u64; LIMBS] {
    let mask = choice.wrapping_neg();
    let mut out = [0u64; LIMBS];
    for i in 0..LIMBS {
        out[i] = (a[i] & mask) | (b[i] & !mask);
    }
    out
}

/// A residue mod N in Montgomery form (`x·R mod N`, R = 2^3072).
#[derive(Clone, Copy)]
pub(crate) struct Monty([u64; LIMBS]);

impl Zeroize for Monty {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

/// R² mod N, computed once by doubling (no division needed).
fn r_squared() -> &'static [u64; LIMBS] {
    static R2: std::sync::OnceLock<[u64; LIMBS]> = std::sync::OnceLock::new();
    R2.get_or_init(|| {
        // Start from R mod N = 2^3072 - N (N's top bit is set), then double 3072
        // times modulo N: that gives R·2^3072 = R² mod N.
        let (mut x, _) = sub(&[0; LIMBS], &N);
        for _ in 0..3072 {
            x = double_mod(&x);
        }
        x
    })
}

fn double_mod(x: &[u64; LIMBS]) -> [u64; LIMBS] {
    let mut shifted = [0u64; LIMBS];
    let mut carry = 0u64;
    for i in 0..LIMBS {
        shifted[i] = (x[i] << 1) | carry;
        carry = x[i] >> 63;
    }
    let (diff, borrow) = sub(&shifted, &N);
    // Keep the difference when the shift overflowed or no borrow occurred.
    let keep_diff = carry | (borrow ^ 1);
    select(keep_diff, &diff, &shifted)
}

/// Montgomery reduction (REDC) of a 6144-bit value: `t·R⁻¹ mod N`.
fn redc(t: &mut [u64; 2 * LIMBS]) -> [u64; LIMBS] {
    let mut extra = 0u64;
    for i in 0..LIMBS {
        let m = t[i].wrapping_mul(N_NEG_INV);
        let mut carry = 0u64;
        for j in 0..LIMBS {
            let s = t[i + j] as u128 + (m as u128) * (N[j] as u128) + carry as u128;
            t[i + j] = s as u64;
            carry = (s >> 64) as u64;
        }
        let s = t[i + LIMBS] as u128 + carry as u128 + extra as u128;
        t[i + LIMBS] = s as u64;
        extra = (s >> 64) as u64;
    }
    let mut hi = [0u64; LIMBS];
    hi.copy_from_slice(&t[LIMBS..]);
    t.zeroize();
    // The result is below 2N: subtract N once when it is at least N.
    let (diff, borrow) = sub(&hi, &N);
    let out = select(extra | (borrow ^ 1), &diff, &hi);
    hi.zeroize();
    out
}

/// Montgomery multiplication: schoolbook product, then REDC.
fn mont_mul(a: &[u64; LIMBS], b: &[u64; LIMBS]) -> [u64; LIMBS] {
    let mut t = [0u64; 2 * LIMBS];
    for i in 0..LIMBS {
        let mut carry = 0u64;
        for j in 0..LIMBS {
            let s = t[i + j] as u128 + (a[j] as u128) * (b[i] as u128) + carry as u128;
            t[i + j] = s as u64;
            carry = (s >> 64) as u64;
        }
        t[i + LIMBS] = carry;
    }
    redc(&mut t)
}

/// Montgomery squaring: each cross product once, doubled, plus the
/// diagonal; about half the multiplications of `mont_mul`'s product.
fn mont_sqr(a: &[u64; LIMBS]) -> [u64; LIMBS] {
    let mut t = [0u64; 2 * LIMBS];
    for i in 0..LIMBS {
        let mut carry = 0u64;
        for j in i + 1..LIMBS {
            let s = t[i + j] as u128 + (a[i] as u128) * (a[j] as u128) + carry as u128;
            t[i + j] = s as u64;
            carry = (s >> 64) as u64;
        }
        t[i + LIMBS] = carry;
    }
    let mut top = 0u64;
    for limb in t.iter_mut() {
        let next = *limb >> 63;
        *limb = (*limb << 1) | top;
        top = next;
    }
    let mut carry = 0u64;
    for i in 0..LIMBS {
        let sq = (a[i] as u128) * (a[i] as u128);
        let s = t[2 * i] as u128 + (sq as u64) as u128 + carry as u128;
        t[2 * i] = s as u64;
        let s = t[2 * i + 1] as u128 + (sq >> 64) + (s >> 64);
        t[2 * i + 1] = s as u64;
        carry = (s >> 64) as u64;
    }
    redc(&mut t)
}

/// `x·2^d mod N` for a residue `x < N` and `d < 64`, without a full
/// multiplication: N = 2^3072 − c with c < 2^3008, so the bits shifted past
/// 2^3072 fold back in as `hi·c`, and one masked subtraction finishes.
fn mul_pow2(x: &[u64; LIMBS], d: u64) -> [u64; LIMBS] {
    let d = d as u32;
    let mut lo = [0u64; LIMBS];
    for i in 0..LIMBS {
        // `(v >> 1) >> (63 - d)` is `v >> (64 - d)` without a 64-bit shift at d = 0.
        let below = if i == 0 {
            0
        } else {
            (x[i - 1] >> 1) >> (63 - d)
        };
        lo[i] = (x[i] << d) | below;
    }
    let hi = (x[LIMBS - 1] >> 1) >> (63 - d);
    let (c, _) = sub(&[0; LIMBS], &N);
    let mut carry = 0u64;
    for i in 0..LIMBS {
        let s = lo[i] as u128 + (hi as u128) * (c[i] as u128) + carry as u128;
        lo[i] = s as u64;
        carry = (s >> 64) as u64;
    }
    let (diff, borrow) = sub(&lo, &N);
    select((carry != 0) as u64 | (borrow ^ 1), &diff, &lo)
}

impl Monty {
    pub(crate) fn new(x: &Uint) -> Monty {
        Monty(mont_mul(&x.reduce().0, r_squared()))
    }

    pub(crate) fn one() -> Monty {
        Monty::new(&Uint::from_u64(1))
    }

    pub(crate) fn retrieve(&self) -> Uint {
        let mut one = [0u64; LIMBS];
        one[0] = 1;
        Uint(mont_mul(&self.0, &one))
    }

    pub(crate) fn mul(&self, other: &Monty) -> Monty {
        Monty(mont_mul(&self.0, &other.0))
    }

    pub(crate) fn add(&self, other: &Monty) -> Monty {
        let (sum, carry) = add(&self.0, &other.0);
        let (diff, borrow) = sub(&sum, &N);
        Monty(select(carry | (borrow ^ 1), &diff, &sum))
    }

    pub(crate) fn sub(&self, other: &Monty) -> Monty {
        let (diff, borrow) = sub(&self.0, &other.0);
        // On borrow, add N back (the carry out is the borrow's complement).
        let (out, _) = add(&diff, &select(borrow, &N, &[0; LIMBS]));
        Monty(out)
    }

    /// `self^exponent mod N`, looking at the low `bound_bits` bits of the
    /// exponent. The time depends on `bound_bits` only.
    pub(crate) fn pow(&self, exponent: &Exponent, bound_bits: usize) -> Monty {
        let mut table = [[0u64; LIMBS]; TABLE];
        table[0] = Monty::one().0;
        table[1] = self.0;
        for i in 2..TABLE {
            table[i] = mont_mul(&table[i - 1], &self.0);
        }
        let windows = bound_bits.div_ceil(WINDOW);
        let mut acc = Monty::one().0;
        for w in (0..windows).rev() {
            for _ in 0..WINDOW {
                acc = mont_sqr(&acc);
            }
            let digit = exponent.window(w * WINDOW, WINDOW);
            let entry = lookup(&table, digit);
            acc = mont_mul(&acc, &entry);
        }
        table.zeroize();
        Monty(acc)
    }
}

/// The fixed-base comb for `2^e`, `e < 2^256` (the secrets a, b and x are
/// 256 bits): 8 teeth 32 bits apart, so 32 squarings and 32 multiplications
/// by table entries instead of 256 squarings.
const COMB_TEETH: usize = 8;
const COMB_COLUMNS: usize = 32;
const COMB_BITS: usize = COMB_TEETH * COMB_COLUMNS;

/// `T[j]` = the product of `2^(2^(32·k))` over the bits `k` set in `j`, in
/// Montgomery form. Made once (about 300 multiplications), then shared.
fn comb_table() -> &'static [[u64; LIMBS]] {
    static TABLE: OnceLock<Vec<[u64; LIMBS]>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut teeth = [[0u64; LIMBS]; COMB_TEETH];
        let mut power = Monty::new(&Uint::from_u64(2)).0;
        for tooth in teeth.iter_mut() {
            *tooth = power;
            for _ in 0..COMB_COLUMNS {
                power = mont_sqr(&power);
            }
        }
        let mut table = vec![Monty::one().0; 1 << COMB_TEETH];
        for j in 1..table.len() {
            let k = j.trailing_zeros() as usize;
            table[j] = mont_mul(&table[j & (j - 1)], &teeth[k]);
        }
        table
    })
}

impl Monty {
    /// `2^exponent mod N` for the low `bound_bits` bits of the exponent.
    /// Up to 256 bits it uses the fixed-base comb; beyond, the window
    /// multiplications become shifts (see [`mul_pow2`]), so the cost is
    /// essentially the squarings. Time depends on `bound_bits` only.
    pub(crate) fn pow_of_two(exponent: &Exponent, bound_bits: usize) -> Monty {
        if bound_bits <= COMB_BITS {
            return Self::pow_of_two_comb(exponent, bound_bits);
        }
        let windows = bound_bits.div_ceil(WINDOW);
        let mut acc = Monty::one().0;
        for w in (0..windows).rev() {
            for _ in 0..WINDOW {
                acc = mont_sqr(&acc);
            }
            acc = mul_pow2(&acc, exponent.window(w * WINDOW, WINDOW));
        }
        Monty(acc)
    }
}

impl Monty {
    fn pow_of_two_comb(exponent: &Exponent, bound_bits: usize) -> Monty {
        let table = comb_table();
        let mut acc = Monty::one().0;
        for column in (0..COMB_COLUMNS).rev() {
            acc = mont_sqr(&acc);
            let mut index = 0u64;
            for tooth in 0..COMB_TEETH {
                let bit = column + tooth * COMB_COLUMNS;
                // `bound_bits` is public: which bits count never depends on a secret.
                if bit < bound_bits {
                    index |= exponent.window(bit, 1) << tooth;
                }
            }
            acc = mont_mul(&acc, &lookup(table, index));
        }
        Monty(acc)
    }
}

/// Reads `table[index]` by touching every entry.
fn lookup(table: &[[u64; LIMBS]], index: u64) -> [u64; LIMBS] {
    let mut out = [0u64; LIMBS];
    for (i, entry) in table.iter().enumerate() {
        let mask = ((i as u64 ^ index).wrapping_sub(1) >> 63).wrapping_neg();
        for k in 0..LIMBS {
            out[k] |= entry[k] & mask;
        }
    }
    out
}

/// A non-negative exponent of up to 4096 bits (room for `a + u·x` with a
/// 3072-bit `a`). Zeroized on drop because exponents are secrets here.
#[derive(Clone, Zeroize)]
#[zeroize(drop)]
pub(crate) struct Exponent([u64; 64]);

impl Exponent {
    pub(crate) const MAX_BITS: usize = 64 * 64;

    pub(crate) fn from_uint(x: &Uint) -> Exponent {
        let mut out = [0u64; 64];
        out[..LIMBS].copy_from_slice(&x.0);
        Exponent(out)
    }

    /// `self + a·b` where `a` and `b` fit in 256 bits (u and x are SHA-256
    /// outputs). The caller guarantees the result fits in 4096 bits.
    pub(crate) fn add_product(&self, a: &Uint, b: &Uint) -> Exponent {
        let mut prod = [0u64; 8];
        for i in 0..4 {
            let mut carry = 0u64;
            for j in 0..4 {
                let s = prod[i + j] as u128 + (a.0[i] as u128) * (b.0[j] as u128) + carry as u128;
                prod[i + j] = s as u64;
                carry = (s >> 64) as u64;
            }
            prod[i + 4] = carry;
        }
        let mut out = self.0;
        let mut carry = 0u64;
        for i in 0..64 {
            let addend = if i < 8 { prod[i] } else { 0 };
            let (s1, c1) = out[i].overflowing_add(addend);
            let (s2, c2) = s1.overflowing_add(carry);
            out[i] = s2;
            carry = (c1 | c2) as u64;
        }
        prod.zeroize();
        Exponent(out)
    }

    /// `len` bits starting at bit `start` (0 beyond the end).
    fn window(&self, start: usize, len: usize) -> u64 {
        let mut v = 0u64;
        for k in 0..len {
            let bit = start + k;
            if bit < Self::MAX_BITS {
                v |= ((self.0[bit / 64] >> (bit % 64)) & 1) << k;
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigUint;
    use proptest::prelude::*;

    fn mod_pow(base: &Uint, exponent: &Exponent, bound_bits: usize) -> Uint {
        Monty::new(base).pow(exponent, bound_bits).retrieve()
    }
    fn big(x: &Uint) -> BigUint {
        BigUint::from_bytes_be(&x.to_be_bytes())
    }
    fn n_big() -> BigUint {
        BigUint::parse_bytes(crate::group::N_HEX.as_bytes(), 16).unwrap()
    }
    fn uint_strategy() -> impl Strategy<Value = Uint> {
        prop::array::uniform32(any::<u8>()).prop_flat_map(|seed| {
            prop::collection::vec(any::<u8>(), 0..=BYTES).prop_map(move |mut v| {
                if let Some(b) = v.first_mut() {
                    *b ^= seed[0];
                }
                Uint::from_be_bytes(&v).unwrap()
            })
        })
    }

    #[test]
    fn constants_match_the_documented_prime() {
        assert_eq!(big(&Uint(N)), n_big());
        assert_eq!(N[0].wrapping_mul(N_NEG_INV.wrapping_neg()), 1);
        let r = BigUint::from(1u8) << 3072;
        assert_eq!(big(&Uint(*r_squared())), (&r * &r) % n_big());
    }

    #[test]
    fn byte_round_trip_and_size_cap() {
        let x = Uint::from_be_bytes(&[0, 0, 1, 2, 3]).unwrap();
        assert_eq!(x.to_be_bytes(), vec![1, 2, 3]);
        assert!(Uint::from_be_bytes(&[0u8; 500]).unwrap().is_zero());
        assert!(Uint::from_be_bytes(&[1u8; BYTES + 1]).is_none());
        assert_eq!(
            Uint::from_be_bytes(&[0xff; BYTES])
                .unwrap()
                .to_be_bytes()
                .len(),
            BYTES
        );
    }

    #[test]
    fn reduce_handles_n_and_above() {
        assert!(Uint(N).reduce().is_zero());
        let max = Uint::from_be_bytes(&[0xff; BYTES]).unwrap();
        assert_eq!(big(&max.reduce()), big(&max) % n_big());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn mul_add_sub_match_oracle(a in uint_strategy(), b in uint_strategy()) {
            let n = n_big();
            let (ma, mb) = (Monty::new(&a), Monty::new(&b));
            prop_assert_eq!(big(&ma.mul(&mb).retrieve()), (big(&a) * big(&b)) % &n);
            prop_assert_eq!(big(&ma.add(&mb).retrieve()), (big(&a) + big(&b)) % &n);
            let expect_sub = ((big(&a) % &n) + &n - (big(&b) % &n)) % &n;
            prop_assert_eq!(big(&ma.sub(&mb).retrieve()), expect_sub);
        }

        #[test]
        fn pow_matches_oracle(base in uint_strategy(), e in prop::collection::vec(any::<u8>(), 0..80)) {
            let n = n_big();
            let e_uint = Uint::from_be_bytes(&e).unwrap();
            let got = mod_pow(&base, &Exponent::from_uint(&e_uint), e.len() * 8);
            prop_assert_eq!(big(&got), big(&base).modpow(&big(&e_uint), &n));
        }

        #[test]
        fn squaring_and_powers_of_two_match_oracle(a in uint_strategy(), e in prop::collection::vec(any::<u8>(), 0..80), d in 0u64..64) {
            let n = n_big();
            let ma = Monty::new(&a);
            prop_assert_eq!(big(&Monty(mont_sqr(&ma.0)).retrieve()), (big(&a) * big(&a)) % &n);
            prop_assert_eq!(big(&Monty(mul_pow2(&ma.0, d)).retrieve()), (big(&a) << d as usize) % &n);
            let e_uint = Uint::from_be_bytes(&e).unwrap();
            let got = Monty::pow_of_two(&Exponent::from_uint(&e_uint), e.len() * 8).retrieve();
            prop_assert_eq!(big(&got), BigUint::from(2u8).modpow(&big(&e_uint), &n));
        }

        #[test]
        fn add_product_matches_oracle(a in uint_strategy(), u in any::<[u8; 32]>(), x in any::<[u8; 32]>()) {
            let (u, x) = (Uint::from_be_bytes(&u).unwrap(), Uint::from_be_bytes(&x).unwrap());
            let e = Exponent::from_uint(&a).add_product(&u, &x);
            let mut bytes = Vec::new();
            for limb in e.0.iter().rev() { bytes.extend_from_slice(&limb.to_be_bytes()); }
            prop_assert_eq!(BigUint::from_bytes_be(&bytes), big(&a) + big(&u) * big(&x));
        }
    }
}

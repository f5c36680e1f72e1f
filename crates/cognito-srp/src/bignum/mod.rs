//! Modular arithmetic modulo the 3072-bit group prime N, and nothing else.
//!
//! Every modular operation in this crate goes through this module, so a faster
//! backend can replace it without touching the protocol code.
//!
//! Design:
//! - numbers are fixed arrays of 48 little-endian `u64` limbs, so there is no
//!   allocation and no length-dependent branching;
//! - multiplication and squaring are Montgomery product scanning specialised
//!   to 48 limbs ([`mont`]), with the final subtraction done by masking, not
//!   branching;
//! - exponentiation ([`pow`]) reads window tables in constant time wherever
//!   the exponent is secret; only the exponent's *bit bound* (a public size
//!   class) shapes the running time. The public scrambler u uses a
//!   per-verifier comb that is allowed to depend on u.
//!
//! `num-bigint` serves as the test oracle for all of this (see the tests).

// Carry chains over parallel limb arrays read best with one index.
#![allow(clippy::needless_range_loop)]

use zeroize::Zeroize;

mod mont;
mod pow;

pub(crate) use pow::{COMB_BITS, PublicComb};

/// Limbs in a 3072-bit number.
pub(crate) const LIMBS: usize = 48;
/// Bytes in a 3072-bit number.
pub(crate) const BYTES: usize = LIMBS * 8;

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
    // The barrier keeps the compiler from proving the mask is all-zeros or
    // all-ones and turning the masking back into a branch.
    let mask = std::hint::black_box(choice.wrapping_neg());
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

impl Monty {
    pub(crate) fn new(x: &Uint) -> Monty {
        Monty(mont::mont_mul(&x.reduce().0, r_squared()))
    }

    pub(crate) fn one() -> Monty {
        Monty::new(&Uint::from_u64(1))
    }

    pub(crate) fn retrieve(&self) -> Uint {
        let mut one = [0u64; LIMBS];
        one[0] = 1;
        Uint(mont::mont_mul(&self.0, &one))
    }

    pub(crate) fn mul(&self, other: &Monty) -> Monty {
        Monty(mont::mont_mul(&self.0, &other.0))
    }

    #[cfg(test)]
    pub(crate) fn square(&self) -> Monty {
        Monty(mont::mont_sqr(&self.0))
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
pub(super) mod tests {
    use super::*;
    use num_bigint::BigUint;
    use proptest::prelude::*;

    pub(crate) fn big(x: &Uint) -> BigUint {
        BigUint::from_bytes_be(&x.to_be_bytes())
    }
    pub(crate) fn n_big() -> BigUint {
        BigUint::parse_bytes(crate::group::N_HEX.as_bytes(), 16).unwrap()
    }
    /// Numbers of every width from 0 to 3072 bits.
    pub(crate) fn uint_strategy() -> impl Strategy<Value = Uint> {
        prop::array::uniform32(any::<u8>()).prop_flat_map(|seed| {
            prop::collection::vec(any::<u8>(), 0..=BYTES).prop_map(move |mut v| {
                if let Some(b) = v.first_mut() {
                    *b ^= seed[0];
                }
                Uint::from_be_bytes(&v).unwrap()
            })
        })
    }

    /// Residues where carries run the whole length: 0, 1, N − 1, N − 2,
    /// 2^3071, all-ones limbs reduced.
    fn edge_values() -> Vec<Uint> {
        let n = Uint(N);
        let (n1, _) = sub(&N, &Uint::from_u64(1).0);
        let (n2, _) = sub(&N, &Uint::from_u64(2).0);
        let mut top = Uint::ZERO;
        top.0[LIMBS - 1] = 1 << 63;
        vec![
            Uint::ZERO,
            Uint::from_u64(1),
            Uint(n1),
            Uint(n2),
            top,
            Uint([u64::MAX; LIMBS]).reduce(),
            n,
        ]
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

    #[test]
    fn multiplication_and_squaring_at_the_edges() {
        let n = n_big();
        for a in edge_values() {
            let ma = Monty::new(&a);
            let square = (big(&a) * big(&a)) % &n;
            assert_eq!(big(&ma.square().retrieve()), square);
            assert_eq!(big(&ma.mul(&ma).retrieve()), square);
            for b in edge_values() {
                let product = (big(&a) * big(&b)) % &n;
                assert_eq!(big(&ma.mul(&Monty::new(&b)).retrieve()), product);
            }
        }
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

        /// The dedicated squaring equals multiplying by itself, and both
        /// equal the oracle, in Montgomery form (no conversion in between).
        #[test]
        fn squaring_matches_multiplication_and_oracle(a in uint_strategy()) {
            let n = n_big();
            let ma = Monty::new(&a);
            let (square, product) = (ma.square(), ma.mul(&ma));
            prop_assert_eq!(square.0, product.0);
            prop_assert_eq!(big(&square.retrieve()), (big(&a) * big(&a)) % &n);
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

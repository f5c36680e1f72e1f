//! Modular exponentiation: which method for which exponent.
//!
//! | exponent | base | method | 256-bit cost |
//! |---|---|---|---|
//! | secret (a, b, x, a + u·x) | any | fixed window, table read in constant time | 256 S + 78 M |
//! | secret, ≤ 256 bits | g = 2 | fixed-base windows (shared table, from the 8th power on) | 51 M |
//! | secret, other | g = 2 | fixed window, multiplications become shifts | ≈ bits S |
//! | public (u) | a verifier v | per-verifier comb ([`PublicComb`]) | 51 S + 51 M |
//!
//! S is a Montgomery squaring, M a multiplication (each about 3 µs here).
//! Only the exponent's bit bound — a public size class — shapes the running
//! time of the secret-exponent methods; the public-exponent comb skips zero
//! digits, which reveals nothing but u, and u is on the wire.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use zeroize::Zeroize;

use super::mont::{mont_mul, mont_sqr};
use super::{Exponent, LIMBS, Monty, Uint};

type Limbs = [u64; LIMBS];

/// Reads `table[index]` (at most 64 entries) by touching every entry with
/// a mask.
///
/// The masks pass through an optimisation barrier: with plain
/// `((i ^ index) - 1) >> 63` masks, LLVM proves each is all-zeros or
/// all-ones and turns the scan into a branch that loads only the selected
/// entry (seen in the x86-64 code of the earlier version of this function),
/// and which entry is loaded is then visible through the cache. One barrier
/// over the whole mask array costs less than one per entry (`subtle`'s
/// `Choice` is a call per entry, which measured about 10% of a fixed-base
/// exponentiation).
fn lookup(table: &[Limbs], index: u64) -> Limbs {
    let mut masks = [0u64; 64];
    for (i, mask) in masks.iter_mut().enumerate() {
        *mask = (((i as u64) ^ index).wrapping_sub(1) >> 63).wrapping_neg();
    }
    let masks = std::hint::black_box(masks);
    let mut out = [0u64; LIMBS];
    for (entry, mask) in table.iter().zip(masks) {
        for k in 0..LIMBS {
            out[k] |= entry[k] & mask;
        }
    }
    out
}

/// The window for a secret exponent of `bits` bits: the width that
/// minimises table building, multiplications and constant-time table reads
/// (a read of 2^w entries costs about 2^w / 350 of a multiplication).
fn window_bits(bits: usize) -> usize {
    match bits {
        0..=384 => 4,
        385..=1536 => 5,
        _ => 6,
    }
}

impl Monty {
    /// `self^exponent` for a secret exponent below `2^bound_bits`: a fixed
    /// window whose table entry is read in
    /// constant time. The time depends on `bound_bits` only.
    pub(crate) fn pow(&self, exponent: &Exponent, bound_bits: usize) -> Monty {
        if bound_bits == 0 {
            return Monty::one();
        }
        let w = window_bits(bound_bits);
        let mut storage = [[0u64; LIMBS]; 1 << 6];
        let table = &mut storage[..1 << w];
        table[0] = Monty::one().0;
        table[1] = self.0;
        for i in 2..table.len() {
            table[i] = if i % 2 == 0 {
                mont_sqr(&table[i / 2])
            } else {
                mont_mul(&table[i - 1], &self.0)
            };
        }
        let windows = bound_bits.div_ceil(w);
        // Start from the top window's entry instead of squaring 1.
        let mut acc = lookup(table, exponent.window((windows - 1) * w, w));
        for k in (0..windows - 1).rev() {
            for _ in 0..w {
                acc = mont_sqr(&acc);
            }
            let mut entry = lookup(table, exponent.window(k * w, w));
            acc = mont_mul(&acc, &entry);
            entry.zeroize();
        }
        storage.zeroize();
        Monty(acc)
    }
}

/// Fixed-base windows for g = 2 and exponents up to 256 bits (the secrets
/// a, b and x): `G_TABLE[i][d] = g^(d·2^(5i))`, so `g^e` is the product of
/// one entry per 5-bit digit of e: 51 multiplications and no squaring.
const G_WINDOW: usize = 5;
const G_DIGITS: usize = 256usize.div_ceil(G_WINDOW);
const G_BITS: usize = G_DIGITS * G_WINDOW;

/// The shared table: 52 rows of 32 entries, 624 KiB, about 1,600
/// multiplications to make.
fn g_table() -> &'static [[Limbs; 1 << G_WINDOW]] {
    G_TABLE.get_or_init(|| {
        let mut rows = vec![[[0u64; LIMBS]; 1 << G_WINDOW]; G_DIGITS];
        let mut base = Monty::new(&Uint::from_u64(2)).0;
        for row in rows.iter_mut() {
            row[0] = Monty::one().0;
            row[1] = base;
            for d in 2..row.len() {
                row[d] = if d % 2 == 0 {
                    mont_sqr(&row[d / 2])
                } else {
                    mont_mul(&row[d - 1], &base)
                };
            }
            // The next row's base: base^(2^5) = row[16]².
            base = mont_sqr(&row[1 << (G_WINDOW - 1)]);
        }
        rows
    })
}

static G_TABLE: OnceLock<Vec<[Limbs; 1 << G_WINDOW]>> = OnceLock::new();
static G_POWERS_SO_FAR: AtomicUsize = AtomicUsize::new(0);

/// The table costs about what eight powers save with it, so it is made on
/// the eighth power of g in the process: the CLI's one sign-in (two powers)
/// and a mock seeding a few users before it answers its first request
/// never pay for it; a server making B for every sign-in soon does.
const G_TABLE_AFTER: usize = 8;

/// The shared table, if it exists or this call makes it worth making. The
/// choice depends on how many powers came before, never on an exponent.
fn g_table_if_worth_it() -> Option<&'static [[Limbs; 1 << G_WINDOW]]> {
    if let Some(table) = G_TABLE.get() {
        return Some(table);
    }
    let so_far = G_POWERS_SO_FAR.fetch_add(1, Ordering::Relaxed) + 1;
    (so_far >= G_TABLE_AFTER).then(g_table)
}

/// `x·2^d mod N` for a residue `x < N` and `d < 64`, without a full
/// multiplication: N = 2^3072 − c with c < 2^3008, so the bits shifted past
/// 2^3072 fold back in as `hi·c`, and one masked subtraction finishes.
fn mul_pow2(x: &Limbs, d: u64) -> Limbs {
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
    let (c, _) = super::sub(&[0; LIMBS], &super::N);
    let mut carry = 0u64;
    for i in 0..LIMBS {
        let s = lo[i] as u128 + (hi as u128) * (c[i] as u128) + carry as u128;
        lo[i] = s as u64;
        carry = (s >> 64) as u64;
    }
    let (diff, borrow) = super::sub(&lo, &super::N);
    super::select((carry != 0) as u64 | (borrow ^ 1), &diff, &lo)
}

impl Monty {
    /// `2^exponent` for a secret exponent below `2^bound_bits`. Up to 256
    /// bits, once the shared table exists ([`G_TABLE_AFTER`]), it multiplies
    /// one table entry per 5-bit digit; otherwise a fixed window whose
    /// multiplications are shifts ([`mul_pow2`]), so the cost is essentially
    /// the squarings. The time depends on `bound_bits` (and on whether the
    /// table exists yet) only.
    pub(crate) fn pow_of_two(exponent: &Exponent, bound_bits: usize) -> Monty {
        match g_table_if_worth_it() {
            Some(table) if bound_bits <= G_BITS => {
                Self::pow_of_two_fixed_base(exponent, bound_bits, table)
            }
            _ => Self::pow_of_two_windowed(exponent, bound_bits),
        }
    }

    fn pow_of_two_windowed(exponent: &Exponent, bound_bits: usize) -> Monty {
        const W: usize = 5;
        let windows = bound_bits.div_ceil(W);
        let mut acc = Monty::one().0;
        for k in (0..windows).rev() {
            for _ in 0..W {
                acc = mont_sqr(&acc);
            }
            acc = mul_pow2(&acc, exponent.window(k * W, W));
        }
        Monty(acc)
    }

    fn pow_of_two_fixed_base(
        exponent: &Exponent,
        bound_bits: usize,
        table: &[[Limbs; 1 << G_WINDOW]],
    ) -> Monty {
        // `bound_bits` is public: how many digits count never depends on a secret.
        let digits = bound_bits.div_ceil(G_WINDOW).max(1);
        let mut acc = lookup(&table[0], exponent.window(0, G_WINDOW));
        for (i, row) in table.iter().enumerate().take(digits).skip(1) {
            let mut entry = lookup(row, exponent.window(i * G_WINDOW, G_WINDOW));
            acc = mont_mul(&acc, &entry);
            entry.zeroize();
        }
        Monty(acc)
    }
}

/// A comb for one base and public exponents of up to 260 bits: 5 teeth 52
/// bits apart, so `base^u` costs at most 51 squarings and 52
/// multiplications instead of 256 squarings. Made once per verifier (about
/// 210 squarings) and kept with it: 32 entries, 12 KiB.
///
/// Only for public exponents: entries are read by index and zero digits are
/// skipped, so the time depends on the exponent.
pub(crate) struct PublicComb {
    table: Box<[Limbs; 1 << COMB_TEETH]>,
}

const COMB_TEETH: usize = 5;
const COMB_COLUMNS: usize = 52;
/// The widest exponent [`PublicComb::pow_public`] takes.
pub(crate) const COMB_BITS: usize = COMB_TEETH * COMB_COLUMNS;

impl Drop for PublicComb {
    fn drop(&mut self) {
        // The entries are powers of a verifier, which allows an offline
        // dictionary attack on the password: wipe them.
        self.table.zeroize();
    }
}

impl PublicComb {
    /// `T[j]` = the product of `base^(2^(52k))` over the bits `k` set in `j`.
    pub(crate) fn new(base: &Monty) -> PublicComb {
        let mut teeth = [[0u64; LIMBS]; COMB_TEETH];
        let mut power = base.0;
        for (k, tooth) in teeth.iter_mut().enumerate() {
            *tooth = power;
            if k + 1 < COMB_TEETH {
                for _ in 0..COMB_COLUMNS {
                    power = mont_sqr(&power);
                }
            }
        }
        let mut table = Box::new([Monty::one().0; 1 << COMB_TEETH]);
        for j in 1..table.len() {
            let k = j.trailing_zeros() as usize;
            let rest = j & (j - 1);
            table[j] = if rest == 0 {
                teeth[k]
            } else {
                mont_mul(&table[rest], &teeth[k])
            };
        }
        teeth.zeroize();
        PublicComb { table }
    }

    /// `base^e` for a public `e < 2^COMB_BITS`. Variable time in `e`.
    pub(crate) fn pow_public(&self, e: &Uint) -> Monty {
        let bit = |i: usize| (e.0[i / 64] >> (i % 64)) & 1;
        let mut acc: Option<Limbs> = None;
        for column in (0..COMB_COLUMNS).rev() {
            if let Some(a) = acc.as_mut() {
                *a = mont_sqr(a);
            }
            let mut index = 0usize;
            for tooth in 0..COMB_TEETH {
                index |= (bit(column + tooth * COMB_COLUMNS) as usize) << tooth;
            }
            if index != 0 {
                let entry = &self.table[index];
                acc = Some(match acc {
                    Some(a) => mont_mul(&a, entry),
                    None => *entry,
                });
            }
        }
        Monty(acc.unwrap_or(Monty::one().0))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{big, n_big, uint_strategy};
    use super::*;
    use num_bigint::BigUint;
    use proptest::prelude::*;

    #[test]
    fn window_sizes_cover_every_width() {
        assert_eq!(window_bits(256), 4);
        assert_eq!(window_bits(513), 5);
        assert_eq!(window_bits(1025), 5);
        assert_eq!(window_bits(Exponent::MAX_BITS), 6);
    }

    #[test]
    fn lookup_reads_the_indexed_entry() {
        let table: Vec<Limbs> = (0..64u64).map(|i| [i * 7 + 1; LIMBS]).collect();
        for size in [16, 32, 64] {
            for i in 0..size as u64 {
                assert_eq!(lookup(&table[..size], i), table[i as usize]);
            }
            assert_eq!(lookup(&table[..size], size as u64), [0; LIMBS]);
        }
    }

    #[test]
    fn g_table_rows_are_powers_of_two() {
        let n = n_big();
        let table = g_table();
        assert_eq!(table.len(), G_DIGITS);
        for (i, d) in [(0usize, 1u64), (1, 3), (7, 31), (G_DIGITS - 1, 17)] {
            let got = big(&Monty(table[i][d as usize]).retrieve());
            let e = BigUint::from(d) << (G_WINDOW * i);
            assert_eq!(got, BigUint::from(2u8).modpow(&e, &n), "row {i}, digit {d}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Every window size against the oracle, at every exponent width up
        /// to 640 bits and at the widths that switch windows.
        #[test]
        fn pow_matches_oracle(
            base in uint_strategy(),
            e in prop::collection::vec(any::<u8>(), 0..80),
            extra_bits in 0usize..8,
        ) {
            let n = n_big();
            let e_uint = Uint::from_be_bytes(&e).unwrap();
            let bound = e.len() * 8 + extra_bits;
            let got = Monty::new(&base).pow(&Exponent::from_uint(&e_uint), bound).retrieve();
            prop_assert_eq!(big(&got), big(&base).modpow(&big(&e_uint), &n));
        }

        /// Both ways to 2^e — the windowed one at every width, the table at
        /// up to 256 bits — and the dispatch between them.
        #[test]
        fn pow_of_two_matches_oracle(
            e in prop::collection::vec(any::<u8>(), 0..80),
            extra_bits in 0usize..8,
        ) {
            let n = n_big();
            let e_uint = Uint::from_be_bytes(&e).unwrap();
            let exponent = Exponent::from_uint(&e_uint);
            let bound = e.len() * 8 + extra_bits;
            let expect = BigUint::from(2u8).modpow(&big(&e_uint), &n);
            prop_assert_eq!(big(&Monty::pow_of_two_windowed(&exponent, bound).retrieve()), expect.clone());
            if bound <= G_BITS {
                let fixed = Monty::pow_of_two_fixed_base(&exponent, bound, g_table());
                prop_assert_eq!(big(&fixed.retrieve()), expect.clone());
            }
            prop_assert_eq!(big(&Monty::pow_of_two(&exponent, bound).retrieve()), expect);
        }

        #[test]
        fn mul_pow2_matches_oracle(a in uint_strategy(), d in 0u64..64) {
            let n = n_big();
            let x = Monty::new(&a);
            // Montgomery form scales both sides by R, so the plain relation holds.
            prop_assert_eq!(big(&Monty(mul_pow2(&x.0, d)).retrieve()), (big(&a) << d as usize) % &n);
        }

        #[test]
        fn public_comb_matches_oracle(
            base in uint_strategy(),
            e in prop::collection::vec(any::<u8>(), 0..=32),
        ) {
            let n = n_big();
            let e_uint = Uint::from_be_bytes(&e).unwrap();
            let comb = PublicComb::new(&Monty::new(&base));
            let got = comb.pow_public(&e_uint).retrieve();
            prop_assert_eq!(big(&got), big(&base).modpow(&big(&e_uint), &n));
        }
    }

    #[test]
    fn public_comb_takes_its_full_width() {
        let n = n_big();
        let base = Uint::from_be_bytes(&[0xa5; 200]).unwrap();
        let comb = PublicComb::new(&Monty::new(&base));
        let top = BigUint::from(1u8) << (COMB_BITS - 1);
        let all = (BigUint::from(1u8) << COMB_BITS) - 1u8;
        for e in [BigUint::from(0u8), BigUint::from(1u8), top, all] {
            let bytes = e.to_bytes_be();
            let got = comb
                .pow_public(&Uint::from_be_bytes(&bytes).unwrap())
                .retrieve();
            assert_eq!(big(&got), big(&base).modpow(&e, &n));
        }
    }
}

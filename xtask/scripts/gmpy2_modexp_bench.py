"""One 3072-bit modular exponentiation with a 256-bit exponent, with GMP.

The unit of the server's sign-in floor: reads {"iterations": n} as JSON on
stdin, times gmpy2.powmod(base, e, N) for a random 3071-bit base and a random
256-bit exponent modulo the RFC 3526 3072-bit prime, and prints
{"seconds_per_modexp": t}. Best of five rounds, because the machine is shared.
"""
import json
import random
import sys
import time

import gmpy2

N = gmpy2.mpz(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    16,
)

iterations = int(json.load(sys.stdin)["iterations"])
rng = random.Random(7)
base = gmpy2.mpz(rng.getrandbits(3071))
exponent = gmpy2.mpz(rng.getrandbits(256) | (1 << 255))
gmpy2.powmod(base, exponent, N)  # warm-up
best = float("inf")
for _ in range(5):
    start = time.perf_counter()
    for _ in range(iterations):
        gmpy2.powmod(base, exponent, N)
    best = min(best, (time.perf_counter() - start) / iterations)
print(json.dumps({"gmpy2": gmpy2.version(), "seconds_per_modexp": best}))

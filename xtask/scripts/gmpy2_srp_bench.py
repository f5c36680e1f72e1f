"""The Cognito-SRP client answer computed with GMP (gmpy2), as a speed reference.

Same maths as cognito-srp's client (docs/cognito-protocol.md §1.3): u, x,
S = (B - k*g^x)^(a + u*x) mod N with gmpy2.powmod, the HKDF key and the
signature. Inputs come as JSON on stdin (the vector case plus B_hex,
TIMESTAMP, iterations and a list of `a` values). Prints per `a`: seconds per
answer and the signature, which the caller verifies with its own server side.
"""
import base64
import hashlib
import hmac
import json
import sys
import time

import gmpy2

N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = gmpy2.mpz(N_HEX, 16)
G = gmpy2.mpz(2)


def pad_hex(n):
    h = format(int(n), "x")
    if len(h) % 2:
        h = "0" + h
    elif h[0] in "89abcdef":
        h = "00" + h
    return h


def hex_hash(h):
    return hashlib.sha256(bytes.fromhex(h)).hexdigest()


K = gmpy2.mpz(hex_hash("00" + N_HEX + "02"), 16)


def answer(a, A, B, salt_hex, pool_name, user_id, password, secret_block, timestamp):
    u = gmpy2.mpz(hex_hash(pad_hex(A) + pad_hex(B)), 16)
    inner = hashlib.sha256(f"{pool_name}{user_id}:{password}".encode()).hexdigest()
    x = gmpy2.mpz(hex_hash(pad_hex(gmpy2.mpz(salt_hex, 16)) + inner), 16)
    base = (B - K * gmpy2.powmod(G, x, N)) % N
    S = gmpy2.powmod(base, a + u * x, N)
    prk = hmac.new(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(S)), hashlib.sha256).digest()
    key = hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]
    msg = pool_name.encode() + user_id.encode() + base64.b64decode(secret_block) + timestamp.encode()
    return base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()


case = json.load(sys.stdin)
pool_name = case["pool_id"].split("_", 1)[1]
B = gmpy2.mpz(case["B_hex"], 16)
args = (B, case["salt_hex"], pool_name, case["user_id_for_srp"], case["password"],
        case["secret_block_b64"], case["timestamp"])
iterations = int(case["iterations"])
results = []
for a_hex in case["a_hex_list"]:
    a = gmpy2.mpz(a_hex, 16)
    # A = g^a belongs to the client's start (InitiateAuth), not to the
    # answer: cognito-srp computes it in SrpClient::new and pycognito in its
    # constructor, so it is not timed here either.
    A = gmpy2.powmod(G, a, N)
    signature = answer(a, A, *args)  # warm-up
    start = time.perf_counter()
    for _ in range(iterations):
        signature = answer(a, A, *args)
    elapsed = time.perf_counter() - start
    results.append({"a_hex": a_hex, "seconds_per_answer": elapsed / iterations, "signature": signature})
print(json.dumps({"gmpy2": gmpy2.version(), "results": results}))

"""Times pycognito's PASSWORD_VERIFIER answer on inputs given as JSON on stdin.

Prints one JSON object: seconds per answer, and the last answer's TIMESTAMP and
signature so the caller can verify them with its own server side (proving both
sides computed the same thing).
"""
import json
import sys
import time

from pycognito.aws_srp import AWSSRP, hex_to_long

case = json.load(sys.stdin)
srp = AWSSRP(
    username=case["user_id_for_srp"],
    password=case["password"],
    pool_id=case["pool_id"],
    client_id="benchclient",
    client=object(),  # never called: process_challenge makes no request
)
srp.small_a_value = hex_to_long(case["a_hex"])
srp.large_a_value = srp.calculate_a()
params = {
    "USERNAME": case["user_id_for_srp"],
    "USER_ID_FOR_SRP": case["user_id_for_srp"],
    "SALT": case["salt_hex"],
    "SRP_B": case["B_hex"],
    "SECRET_BLOCK": case["secret_block_b64"],
}
request = {"USERNAME": case["user_id_for_srp"]}

iterations = int(case["iterations"])
srp.process_challenge(params, request)  # warm-up
start = time.perf_counter()
for _ in range(iterations):
    out = srp.process_challenge(params, request)
elapsed = time.perf_counter() - start
print(json.dumps({
    "seconds_per_answer": elapsed / iterations,
    "iterations": iterations,
    "timestamp": out["TIMESTAMP"],
    "signature": out["PASSWORD_CLAIM_SIGNATURE"],
}))

//! `cargo bench -p cognito-srp`: the client answer and the server verify.
//!
//! For the comparison with pycognito on the same inputs, run
//! `cargo xtask bench srp`, which prints ratios measured in the same run.

use std::time::{Duration, UNIX_EPOCH};

use cognito_srp::*;
use criterion::{Criterion, criterion_group, criterion_main};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

fn bench(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::seed_from_u64(42);
    let pool = PoolName::from_user_pool_id("us-east-1_AbCdEf123").unwrap();
    let password = Password::new("P@ssw0rd!");
    let verifier = Verifier::generate(&mut rng, &pool, "alice", &password).unwrap();
    let session = ServerSession::start(&mut rng, &verifier);
    let client = SrpClient::new(&mut rng);
    let challenge = PasswordVerifierChallenge {
        username: "alice".into(),
        user_id_for_srp: "alice".into(),
        salt: session.salt(),
        srp_b: session.srp_b(),
        secret_block: "c2VjcmV0LWJsb2Nr".into(),
    };
    let now = UNIX_EPOCH + Duration::from_secs(1_709_629_623);
    let ts = CognitoTimestamp::from_system_time(now).unwrap();
    let claim = client
        .answer_password_verifier(&pool, &challenge, &password, ts)
        .unwrap();
    let srp_a = client.srp_a();
    let received = ReceivedClaim {
        srp_a: &srp_a,
        secret_block: &claim.secret_block,
        timestamp: &claim.timestamp,
        signature: &claim.signature,
    };

    c.bench_function("client_start", |b| b.iter(|| SrpClient::new(&mut rng)));
    c.bench_function("client_answer_password_verifier", |b| {
        b.iter(|| {
            client
                .answer_password_verifier(&pool, &challenge, &password, ts)
                .unwrap()
        })
    });
    c.bench_function("server_start", |b| {
        b.iter(|| ServerSession::start(&mut rng, &verifier))
    });
    c.bench_function("server_verify_password_claim", |b| {
        b.iter(|| {
            session
                .verify_password_claim(&pool, "alice", received, now, DEFAULT_TIMESTAMP_SKEW)
                .unwrap()
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);

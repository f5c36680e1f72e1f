//! What the fuzz targets share: the seeded in-process mock they send
//! requests to ([`fixture`]), the request formats of the corpus files and
//! their placeholders ([`request`]), and the invariants every response must
//! keep ([`shape`]).
//!
//! The targets run the mock's real router through
//! `mock_cognito::fuzzing::InProcessMock` (feature `fuzzing`): no sockets,
//! no threads, so libFuzzer gets thousands of requests a second.

#![forbid(unsafe_code)]

pub mod fixture;
pub mod request;
pub mod shape;

//! The Aura v1 API: wire types shared with the emulator, and the client every
//! command uses. Knows nothing of aura.yaml.
//!
//! | module | owns |
//! |---|---|
//! | [`wire`] | the JSON shapes, shared with the emulator |
//! | [`client`] | [`AuraClient`]: one method per operation, the request path, decoding |
//! | `auth` | the access token: cache, early refresh, single flight |
//! | [`credentials`] | where the client id and secret come from |
//! | `pacer` | the request budget shared by every call, and the poll spacing it implies |
//! | [`retry`] | what may be resent, and when |
//! | [`error`] | [`ApiError`] |
//! | [`live_project`] | [`LiveProject`], what a plan needs of a live project |

mod auth;
pub mod client;
pub mod credentials;
pub mod error;
pub mod live_project;
pub(crate) mod pacer;
pub mod retry;
pub mod wire;

pub use client::{AuraClient, ClientConfig, DEFAULT_MAX_RESPONSE_BYTES, RequestCounts};
pub use credentials::{CredentialSource, Credentials};
pub use error::{ApiError, ApiResponseError, TransportKind};
pub use live_project::LiveProject;
pub use retry::RetryPolicy;

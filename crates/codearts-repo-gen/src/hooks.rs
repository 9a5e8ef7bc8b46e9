//! Cross-cutting behaviour of the generated client, run through progenitor's
//! `ClientHooks` (which must be implemented in this crate).

use std::sync::Arc;

use progenitor_client::{ClientHooks, OperationInfo};

use crate::Client;

/// Signs an outgoing request, for example with an IAM token or an AK/SK signature.
pub trait RequestSigner: Send + Sync + 'static {
    /// Adds authentication to `request`, which is about to be sent.
    fn sign(&self, request: &mut reqwest::Request);
}

/// State the generated client carries for its hooks.
#[derive(Clone, Default)]
pub struct ClientState {
    /// Authentication applied to every attempt, if any.
    pub signer: Option<Arc<dyn RequestSigner>>,
}

impl std::fmt::Debug for ClientState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientState")
            .field("signer", &self.signer.as_ref().map(|_| "<configured>"))
            .finish()
    }
}

impl ClientHooks<ClientState> for Client {
    async fn exec(
        &self,
        mut request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        if let Some(signer) = &self.inner.signer {
            signer.sign(&mut request);
        }
        self.client.execute(request).await
    }
}

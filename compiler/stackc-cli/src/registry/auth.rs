//! Registry credentials: from the environment, else from the Docker config (including its
//! credential helpers), else none. Never from a stack: a stack file is reviewed and committed.

use oci_client::secrets::RegistryAuth;

/// The user name and password (or token) variables; both must be set.
pub const USERNAME_VAR: &str = "STACKC_REGISTRY_USERNAME";
pub const PASSWORD_VAR: &str = "STACKC_REGISTRY_PASSWORD";

/// The credentials for `registry` (a host, with its port if any).
#[allow(clippy::disallowed_methods)] // Credentials come from the environment by design.
pub fn credentials(registry: &str) -> RegistryAuth {
    if let (Ok(user), Ok(password)) = (std::env::var(USERNAME_VAR), std::env::var(PASSWORD_VAR)) {
        return RegistryAuth::Basic(user, password);
    }
    match docker_credential::get_credential(registry) {
        Ok(docker_credential::DockerCredential::UsernamePassword(user, password)) => {
            RegistryAuth::Basic(user, password)
        }
        Ok(docker_credential::DockerCredential::IdentityToken(token)) => RegistryAuth::Bearer(token),
        Err(_) => RegistryAuth::Anonymous,
    }
}

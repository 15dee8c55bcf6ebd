//! Two services listening on one port of one host: the deploy tool would install both and
//! the second would fail to bind, or (nginx) quietly lose to the first. Checked from the
//! endpoints every host-placed service exports; UDP and TCP ports are apart.

use std::collections::{BTreeMap, BTreeSet};

use stackc_diag::{Diagnostic, Diagnostics};
use stackc_model::{Exports, Stack};

/// Reports each pair of services that export one port on a host they share, once per pair and
/// port, at the later service with the earlier one as the other span.
pub(crate) fn check(stack: &Stack, exports: &[Option<Exports>], diagnostics: &mut Diagnostics) {
    // (host, port, udp) → (service, endpoint) of the first service seen there.
    let mut taken: BTreeMap<(usize, u16, bool), (usize, &str)> = BTreeMap::new();
    let mut reported: BTreeSet<(usize, usize, u16)> = BTreeSet::new();
    for (index, (service, exports)) in stack.services.iter().zip(exports).enumerate() {
        let Some(exports) = exports else { continue };
        for &host in &service.hosts {
            for endpoint in &exports.endpoints {
                let key = (host, endpoint.port, endpoint.protocol == "udp");
                let (first, first_endpoint) = *taken.entry(key).or_insert((index, endpoint.name.as_str()));
                if first == index || !reported.insert((first, index, endpoint.port)) {
                    continue;
                }
                let other = &stack.services[first];
                let host = &stack.hosts[host];
                diagnostics.push(
                    Diagnostic::error(
                        "stackc::ports::collision",
                        format!(
                            "services `{}` and `{}` both listen on port {} of host `{}` ({})",
                            other.name.value, service.name.value, endpoint.port, host.name.value, host.address.value
                        ),
                    )
                    .at(service.name.span, format!("`{}` listens on {} here", endpoint.name, endpoint.port))
                    .with_secondary(other.name.span, format!("`{first_endpoint}` on {} here", endpoint.port))
                    .with_help("give one of them another port, or place them on different hosts"),
                );
            }
        }
    }
}

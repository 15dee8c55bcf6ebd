//! The order services are deployed in.

use stackc_model::Stack;

/// Service indices such that a service comes after the services it references (so an
/// upstream is up before the proxy in front of it). Ties, and cycles, follow stack order.
pub(crate) fn deploy_order(stack: &Stack) -> Vec<usize> {
    let n = stack.services.len();
    let deps: Vec<Vec<usize>> = stack
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut d: Vec<usize> = s
                .config
                .references()
                .iter()
                .filter_map(|r| stack.services.iter().position(|t| t.name.value == r.service))
                .filter(|&j| j != i)
                .collect();
            d.sort_unstable();
            d.dedup();
            d
        })
        .collect();
    let mut placed = vec![false; n];
    let mut order = Vec::with_capacity(n);
    while order.len() < n {
        // The first unplaced service whose dependencies are all placed; on a cycle, the
        // first unplaced service.
        let next = (0..n)
            .find(|&i| !placed[i] && deps[i].iter().all(|&d| placed[d]))
            .or_else(|| (0..n).find(|&i| !placed[i]))
            .expect("an unplaced service exists while order is short");
        placed[next] = true;
        order.push(next);
    }
    order
}

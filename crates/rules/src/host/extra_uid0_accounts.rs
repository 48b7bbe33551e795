//! Accounts other than root with UID 0.

use crate::facts::{host_facts, observed, on_host};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The host's `/etc/passwd`: it fails for every account other than `root` with UID 0. Docker's
    /// guidance starts with limiting root access to the nodes.
    ///
    /// ## Why it matters
    /// A second UID 0 account is full root under another name: it escapes reviews of who has root, and
    /// is a classic backdoor.
    ///
    /// ## How to fix
    /// Give the account its own UID (`usermod -u UID NAME`) or delete it; grant root through sudo rules
    /// that are logged.
    pub static RULE = Rule {
        id: "HO0020",
        name: "extra-uid0-accounts",
        title: "Only root has UID 0 on the host",
        severity: Severity::High,
        references: &[],
        fix: "give the account a UID of its own (usermod -u UID NAME) or remove it",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let accounts = match host_facts(ctx).and_then(|h| observed(&h.uid0_accounts, "the host's accounts are")) {
        Ok(accounts) => accounts,
        Err(unknown) => return on_host(ctx, unknown),
    };
    let extra: Vec<_> = accounts.value.iter().filter(|a| a.name != "root").collect();
    if extra.is_empty() {
        return on_host(
            ctx,
            Verdict::pass("only root has UID 0")
                .with_evidence([Evidence::new(accounts.at.to_string(), "root")]),
        );
    }
    let names: Vec<&str> = extra.iter().map(|a| a.name.as_str()).collect();
    let evidence = extra.iter().map(|a| Evidence::new(a.at.to_string(), &a.name));
    on_host(
        ctx,
        Verdict::fail(format!(
            "accounts other than root have UID 0: {}",
            names.join(", ")
        ))
        .with_evidence(evidence),
    )
}

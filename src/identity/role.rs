//! The roles a user can hold, and what an operation demands of its caller.

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Admin,
    Clerk,
    Customer,
    Auditor,
}

crate::common::names!(Role { Admin = "admin", Clerk = "clerk", Customer = "customer", Auditor = "auditor" });

impl Role {
    /// The roles of a comma-separated list as storage aggregates them (`group_concat` in
    /// position order), in that order; `None` when a name is not a role.
    pub fn parse_list(names: &str) -> Option<Vec<Role>> {
        names
            .split(',')
            .filter(|r| !r.is_empty())
            .map(Role::from_name)
            .collect()
    }
}

/// Who may call an operation; each service declares it beside each operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without credentials (AuthService Login, the benchmark service).
    Public,
    /// Any authenticated user; the operation itself narrows it to the caller's own records.
    Authenticated,
    /// Users holding at least one of these roles.
    Roles(&'static [Role]),
}

impl From<&'static [Role]> for Access {
    fn from(roles: &'static [Role]) -> Self {
        Access::Roles(roles)
    }
}

impl Access {
    /// Whether a caller holding `roles` passes.
    pub fn allows(self, roles: &[Role]) -> bool {
        match self {
            Access::Public | Access::Authenticated => true,
            Access::Roles(allowed) => roles.iter().any(|r| allowed.contains(r)),
        }
    }
}

/// Role sets the services' access tables share.
pub mod roles {
    use super::Role::{self, Admin, Auditor, Clerk, Customer};

    pub const ADMIN: &[Role] = &[Admin];
    /// Reading everything: admin and auditor.
    pub const READERS: &[Role] = &[Admin, Auditor];
    /// Changing the catalog and all orders.
    pub const STAFF: &[Role] = &[Admin, Clerk];
    /// Reading the catalog and orders: staff and auditors.
    pub const STAFF_AND_AUDITORS: &[Role] = &[Admin, Clerk, Auditor];
    /// Everyone who may read the catalog or place orders.
    pub const EVERYONE: &[Role] = &[Admin, Clerk, Customer, Auditor];
    /// Placing and cancelling orders: staff for anyone, customers for themselves.
    pub const ORDERING: &[Role] = &[Admin, Clerk, Customer];
}

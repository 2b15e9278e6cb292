// How the contract's namespaces and types map to Rust: read by build.rs (which generates
// the message layer with it) and by tests/injected_types.rs (which checks that every injected
// enumeration names exactly the schema's values).

const COMMON: &str = "http://soapstone.dev/schema/common/v1";
const USERS: &str = "http://soapstone.dev/schema/users/v1";
const CATALOG: &str = "http://soapstone.dev/schema/catalog/v1";
const ORDERS: &str = "http://soapstone.dev/schema/orders/v1";
const SECURITY: &str = "http://soapstone.dev/schema/security/v1";

/// Each namespace: its URI, the file it is generated into, the module through which other
/// generated code reaches its types (the one that includes or re-exports them), its constant
/// and its prefix.
const NAMESPACES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "urn:bench",
        "bench.rs",
        "crate::bench::messages",
        "BENCH",
        "b",
    ),
    (COMMON, "common.rs", "crate::common", "COMMON", "c"),
    (USERS, "users.rs", "crate::users::messages", "USERS", "u"),
    (
        CATALOG,
        "catalog.rs",
        "crate::catalog::messages",
        "CATALOG",
        "cat",
    ),
    (
        ORDERS,
        "orders.rs",
        "crate::orders::messages",
        "ORDERS",
        "ord",
    ),
    (
        SECURITY,
        "security.rs",
        "crate::security::schema",
        "SECURITY",
        "s",
    ),
];

/// Schema types the domain already has: `(namespace, type, Rust path)`.
const INJECTED: &[(&str, &str, &str)] = &[
    (COMMON, "Money", "crate::common::Money"),
    (COMMON, "CurrencyCode", "crate::common::Currency"),
    (SECURITY, "Role", "crate::identity::Role"),
    (
        SECURITY,
        "AuthenticationMethod",
        "crate::identity::AuthMethod",
    ),
    (SECURITY, "Outcome", "crate::security::audit::Outcome"),
    (USERS, "Role", "crate::identity::Role"),
    (USERS, "UserStatus", "crate::identity::UserStatus"),
    (USERS, "UserSortField", "crate::users::UserSort"),
    (CATALOG, "ProductStatus", "crate::catalog::ProductStatus"),
    (CATALOG, "ProductSortField", "crate::catalog::ProductSort"),
    (ORDERS, "OrderStatus", "crate::orders::OrderStatus"),
    (ORDERS, "ReportGrouping", "crate::orders::ReportGrouping"),
];

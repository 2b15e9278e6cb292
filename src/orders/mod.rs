//! The Order service: orders placed against the catalog's stock, served as `OrderService`.
//!
//! `model` holds the domain types, `service` the business rules, `repository` the storage
//! trait, `sqlite` and `postgres` its implementations (where placing an order is one
//! transaction); `messages` are the SOAP messages of `xsd/orders.xsd`, generated, with their
//! mappings to and from the domain types; `operations` the handlers, and `faults` how the
//! service's errors reach the wire.

mod faults;
mod lines;
mod messages;
mod model;
mod operations;
mod postgres;
mod repository;
mod service;
mod sqlite;

pub use messages::ORDERS;
pub use model::{
    Address, NewOrder, Order, OrderAction, OrderFilter, OrderLine, OrderStatus, ReportGrouping,
    SalesRow,
};
pub use operations::soap_service;
pub use postgres::PgOrderRepository;
pub use repository::{OrderRepository, OrderRows, PlaceOutcome, TransitionOutcome};
pub use service::{ListOrdersRequest, OrderError, OrderService};
pub use sqlite::SqliteOrderRepository;

/// The WSDL of this service.
pub const WSDL: &str = include_str!("../../wsdl/OrderService.wsdl");

//! The User service: user accounts with roles, served as `UserService`.
//!
//! `model` holds the domain types, `service` the business rules, `repository` the storage
//! trait and `sqlite` its SQLite implementation; `messages` are the SOAP message types of
//! `xsd/users.xsd`, `operations` the handlers that connect the two, and `faults` how the
//! service's errors reach the wire.

mod faults;
mod messages;
mod model;
mod operations;
mod postgres;
mod repository;
mod service;
mod sqlite;

pub use messages::USERS;
pub use model::{NewUser, Role, User, UserChanges, UserFilter, UserKey, UserSort, UserStatus};
pub use operations::soap_service;
pub use postgres::PgUserRepository;
pub use repository::{RepoError, UniqueField, UserRepository};
pub use service::{ListRequest, UserError, UserList, UserService, field_name};
pub use sqlite::SqliteUserRepository;

/// The WSDL of this service.
pub const WSDL: &str = include_str!("../../wsdl/UserService.wsdl");

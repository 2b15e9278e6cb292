//! The Catalog service: products with prices, stock and tags, served as `CatalogService`.
//!
//! `model` holds the domain types, `service` the business rules, `repository` the storage
//! trait, `sqlite` and `postgres` its implementations, `cache` the in-process product cache;
//! `messages` are the SOAP messages of `xsd/catalog.xsd` (generated), `operations` the
//! handlers, and `faults` how the service's errors reach the wire.

mod cache;
mod faults;
mod messages;
mod model;
mod operations;
mod postgres;
mod repository;
mod service;
mod sqlite;

pub use cache::{CacheMode, ProductCache};
pub use messages::CATALOG;
pub use model::{
    NewProduct, Product, ProductChanges, ProductFilter, ProductImage, ProductSort, ProductStatus,
};
pub use operations::soap_service;
pub use postgres::PgProductRepository;
pub use repository::{AdjustOutcome, CatalogRepoError, ProductRepository, ProductRows};
pub use service::{CatalogError, CatalogService, SearchRequest, StoredImage};
pub use sqlite::SqliteProductRepository;

/// The WSDL of this service.
pub const WSDL: &str = include_str!("../../wsdl/CatalogService.wsdl");

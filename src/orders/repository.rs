//! Storage of orders, as the service needs it; implemented for SQLite in `sqlite` and for
//! PostgreSQL in `postgres`.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::model::{
    NewOrder, Order, OrderAction, OrderFilter, OrderStatus, ReportGrouping, SalesRow,
};
use crate::common::Cursor;
use crate::db::DbError;

/// What placing an order did. Every outcome but `Placed` changed nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaceOutcome {
    Placed(Box<Order>),
    /// The customer already placed an order with this client reference: that order.
    Existing(Box<Order>),
    UnknownCustomer,
    UnknownProduct {
        line: usize,
        sku: String,
    },
    Discontinued {
        line: usize,
        sku: String,
    },
    /// Line `line`'s product is priced in another currency than line 1's.
    MixedCurrencies {
        line: usize,
    },
    InsufficientStock {
        sku: String,
        requested: i64,
        available: i64,
    },
    /// The total would exceed the largest amount.
    TooLarge,
}

/// What cancelling or shipping did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionOutcome {
    Done(Box<Order>),
    NotFound,
    /// Only placed orders can be cancelled or shipped; nothing changed.
    WrongState(OrderStatus),
}

/// One page of orders: the rows, where the next page starts, and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRows {
    pub orders: Vec<Order>,
    pub next: Option<Cursor>,
    pub total: i64,
}

/// Where orders are kept.
#[async_trait]
pub trait OrderRepository: Send + Sync {
    /// Places the order in one transaction: all lines' stock is taken or none.
    async fn place(&self, order: NewOrder, now: OffsetDateTime) -> Result<PlaceOutcome, DbError>;
    async fn find(&self, id: i64) -> Result<Option<Order>, DbError>;
    async fn list(
        &self,
        filter: OrderFilter,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<OrderRows, DbError>;
    /// Cancels (putting the stock back) or ships a placed order.
    async fn transition(
        &self,
        id: i64,
        action: OrderAction,
        now: OffsetDateTime,
    ) -> Result<TransitionOutcome, DbError>;
    /// Sales of placed and shipped orders placed in [from, to).
    async fn sales_report(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
        group: ReportGrouping,
    ) -> Result<Vec<SalesRow>, DbError>;
}

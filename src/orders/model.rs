//! Domain types of the Order service; no XML and no SQL here.

use time::OffsetDateTime;

use crate::common::{Currency, Money};

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderStatus {
    Placed,
    Shipped,
    Cancelled,
}

/// What may be done to a placed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderAction {
    Cancel { reason: String },
    Ship,
}

/// How SalesReport groups its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportGrouping {
    Day,
    Product,
    Customer,
}

crate::common::names!(OrderStatus { Placed = "placed", Shipped = "shipped", Cancelled = "cancelled" });
crate::common::names!(ReportGrouping { Day = "day", Product = "product", Customer = "customer" });

/// A shipping address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub name: String,
    pub street: String,
    pub city: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
}

/// One line of an order, with the unit price captured when it was placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    pub sku: String,
    pub product_name: String,
    pub quantity: i32,
    pub unit_price: Money,
    pub line_total: Money,
}

/// An order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: i64,
    pub customer_id: i64,
    pub status: OrderStatus,
    pub client_reference: Option<String>,
    pub lines: Vec<OrderLine>,
    pub total: Money,
    pub currency: Currency,
    pub shipping_address: Address,
    pub placed_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub cancel_reason: Option<String>,
}

/// An order to place: (SKU, quantity) lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    pub customer_id: i64,
    pub lines: Vec<(String, i32)>,
    pub shipping_address: Address,
    pub client_reference: Option<String>,
}

/// Which orders to list (newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFilter {
    pub customer_id: Option<i64>,
    pub status: Option<OrderStatus>,
    /// Inclusive.
    pub placed_from: Option<OffsetDateTime>,
    /// Exclusive.
    pub placed_to: Option<OffsetDateTime>,
}

/// One row of a sales report; `revenue` in hundredths of `currency`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesRow {
    pub key: String,
    pub currency: Currency,
    pub order_count: i64,
    pub quantity: i64,
    pub revenue_minor: i64,
}

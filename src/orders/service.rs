//! Business rules of the Order service: what a valid order is, the order life cycle, paging,
//! reports, and keeping the product cache in step with the stock orders take and give back.

use std::collections::HashSet;
use std::sync::Arc;

use time::OffsetDateTime;

use super::model::{
    NewOrder, Order, OrderAction, OrderFilter, OrderStatus, ReportGrouping, SalesRow,
};
use super::repository::{OrderRepository, PlaceOutcome, TransitionOutcome};
use crate::catalog::ProductCache;
use crate::common::{PageTokens, Violation, now, page_size, violation};
use crate::db::DbError;

const MAX_LINES: usize = 500;

/// Why an Order call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    #[error("no order with id {0}")]
    NotFound(i64),
    #[error("no product with SKU '{0}'")]
    ProductNotFound(String),
    #[error("only {available} of '{sku}' in stock; {requested} requested")]
    InsufficientStock {
        sku: String,
        requested: i64,
        available: i64,
    },
    #[error("order {id} is {}; only placed orders can be {}", .current.as_str(), past_tense(.action))]
    InvalidState {
        id: i64,
        current: OrderStatus,
        action: OrderAction,
    },
    #[error("the request is invalid")]
    Invalid(Vec<Violation>),
    #[error(transparent)]
    Denied(#[from] crate::security::AccessDenied),
    #[error("internal error: {0}")]
    Internal(#[from] DbError),
}

fn past_tense(action: &OrderAction) -> &'static str {
    match action {
        OrderAction::Cancel { .. } => "cancelled",
        OrderAction::Ship => "shipped",
    }
}

/// A ListOrders request after decoding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListOrdersRequest {
    pub filter: OrderFilter,
    pub page_size: Option<i32>,
    pub page_token: Option<String>,
}

/// One page of orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderPage {
    pub orders: Vec<Order>,
    pub next_page_token: Option<String>,
    pub total: i64,
}

/// The Order service; cheap to clone.
#[derive(Clone)]
pub struct OrderService {
    repo: Arc<dyn OrderRepository>,
    products: ProductCache,
    tokens: PageTokens,
}

impl OrderService {
    pub fn new(repo: Arc<dyn OrderRepository>, products: ProductCache, tokens: PageTokens) -> Self {
        OrderService {
            repo,
            products,
            tokens,
        }
    }

    /// Places `order`, or returns the customer's earlier order with the same client reference.
    pub async fn place(&self, order: NewOrder) -> Result<Order, OrderError> {
        let violations = check_order(&order);
        if !violations.is_empty() {
            return Err(OrderError::Invalid(violations));
        }
        let outcome = self.repo.place(order, now()).await?;
        let line_field = |line: usize| format!("line[{line}]/sku");
        match outcome {
            PlaceOutcome::Placed(order) => {
                self.products
                    .invalidate(order.lines.iter().map(|l| l.sku.as_str()))
                    .await;
                Ok(*order)
            }
            PlaceOutcome::Existing(order) => Ok(*order),
            PlaceOutcome::UnknownCustomer => Err(OrderError::Invalid(vec![violation(
                "customerId",
                "no user has this id",
            )])),
            PlaceOutcome::UnknownProduct { sku, .. } => Err(OrderError::ProductNotFound(sku)),
            PlaceOutcome::Discontinued { line, sku } => Err(OrderError::Invalid(vec![violation(
                line_field(line),
                format!("product '{sku}' is discontinued and cannot be ordered"),
            )])),
            PlaceOutcome::MixedCurrencies { line } => Err(OrderError::Invalid(vec![violation(
                line_field(line),
                "is priced in another currency than line 1; one order is one currency",
            )])),
            PlaceOutcome::InsufficientStock {
                sku,
                requested,
                available,
            } => Err(OrderError::InsufficientStock {
                sku,
                requested,
                available,
            }),
            PlaceOutcome::TooLarge => Err(OrderError::Invalid(vec![violation(
                "line",
                "the order total exceeds the largest amount",
            )])),
        }
    }

    pub async fn get(&self, id: i64) -> Result<Order, OrderError> {
        self.repo.find(id).await?.ok_or(OrderError::NotFound(id))
    }

    pub async fn list(&self, request: ListOrdersRequest) -> Result<OrderPage, OrderError> {
        let filter = request.filter;
        let mut violations = Vec::new();
        let limit = page_size(request.page_size, &mut violations);
        if let (Some(from), Some(to)) = (filter.placed_from, filter.placed_to)
            && from > to
        {
            violations.push(violation("placedTo", "must not be before placedFrom"));
        }
        let scope = format!(
            "orders|{:?}|{}|{:?}|{:?}",
            filter.customer_id,
            filter.status.map_or("", OrderStatus::as_str),
            filter.placed_from.map(crate::db::millis),
            filter.placed_to.map(crate::db::millis)
        );
        let after =
            self.tokens
                .open_request(&scope, request.page_token.as_deref(), &mut violations);
        if !violations.is_empty() {
            return Err(OrderError::Invalid(violations));
        }
        let rows = self.repo.list(filter, after, limit).await?;
        Ok(OrderPage {
            orders: rows.orders,
            next_page_token: rows.next.map(|cursor| self.tokens.seal(&scope, &cursor)),
            total: rows.total,
        })
    }

    pub async fn cancel(&self, id: i64, reason: String) -> Result<Order, OrderError> {
        if reason.trim().is_empty() || reason.chars().count() > 200 {
            return Err(OrderError::Invalid(vec![violation(
                "reason",
                "must be 1 to 200 characters, not only spaces",
            )]));
        }
        self.transition(id, OrderAction::Cancel { reason }).await
    }

    pub async fn ship(&self, id: i64) -> Result<Order, OrderError> {
        self.transition(id, OrderAction::Ship).await
    }

    async fn transition(&self, id: i64, action: OrderAction) -> Result<Order, OrderError> {
        match self.repo.transition(id, action.clone(), now()).await? {
            TransitionOutcome::Done(order) => {
                if order.status == OrderStatus::Cancelled {
                    self.products
                        .invalidate(order.lines.iter().map(|l| l.sku.as_str()))
                        .await;
                }
                Ok(*order)
            }
            TransitionOutcome::NotFound => Err(OrderError::NotFound(id)),
            TransitionOutcome::WrongState(current) => Err(OrderError::InvalidState {
                id,
                current,
                action,
            }),
        }
    }

    pub async fn sales_report(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
        group: ReportGrouping,
    ) -> Result<Vec<SalesRow>, OrderError> {
        if from >= to {
            return Err(OrderError::Invalid(vec![violation(
                "to",
                "must be after from",
            )]));
        }
        Ok(self.repo.sales_report(from, to, group).await?)
    }
}

fn check_order(order: &NewOrder) -> Vec<Violation> {
    let mut out = Vec::new();
    if order.lines.is_empty() {
        out.push(violation("line", "at least one line is required"));
    }
    if order.lines.len() > MAX_LINES {
        out.push(violation("line", format!("at most {MAX_LINES} lines")));
    }
    let mut seen = HashSet::new();
    for (i, (sku, quantity)) in order.lines.iter().enumerate() {
        if *quantity < 1 {
            out.push(violation(
                format!("line[{}]/quantity", i + 1),
                "must be at least 1",
            ));
        }
        if !seen.insert(sku.as_str()) {
            out.push(violation(
                format!("line[{}]/sku", i + 1),
                format!("'{sku}' is on an earlier line; each SKU may appear on one line only"),
            ));
        }
    }
    let address = &order.shipping_address;
    for (field, value, max) in [
        ("shippingAddress/name", &address.name, 200),
        ("shippingAddress/street", &address.street, 200),
        ("shippingAddress/city", &address.city, 200),
        ("shippingAddress/postalCode", &address.postal_code, 20),
    ] {
        if value.trim().is_empty() || value.chars().count() > max {
            out.push(violation(
                field,
                format!("must be 1 to {max} characters, not only spaces"),
            ));
        }
    }
    let country = address.country.as_bytes();
    if country.len() != 2 || !country.iter().all(u8::is_ascii_uppercase) {
        out.push(violation(
            "shippingAddress/country",
            "must be an ISO 3166-1 alpha-2 code (two capital letters)",
        ));
    }
    if let Some(reference) = &order.client_reference
        && (reference.is_empty() || reference.chars().count() > 64)
    {
        out.push(violation("clientReference", "must be 1 to 64 characters"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::Address;

    fn order(lines: Vec<(&str, i32)>, country: &str) -> NewOrder {
        NewOrder {
            customer_id: 1,
            lines: lines.into_iter().map(|(s, q)| (s.to_string(), q)).collect(),
            shipping_address: Address {
                name: "A".into(),
                street: "S".into(),
                city: "C".into(),
                postal_code: "1".into(),
                country: country.into(),
            },
            client_reference: None,
        }
    }

    #[test]
    fn order_rules() {
        assert!(check_order(&order(vec![("A", 1), ("B", 2)], "US")).is_empty());
        let fields = |o: &NewOrder| {
            check_order(o)
                .into_iter()
                .map(|v| v.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            fields(&order(vec![("A", 1), ("A", 0)], "usa")),
            vec!["line[2]/quantity", "line[2]/sku", "shippingAddress/country"]
        );
        assert_eq!(fields(&order(vec![], "US")), vec!["line"]);
    }
}

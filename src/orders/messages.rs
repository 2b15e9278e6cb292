//! The SOAP messages of `xsd/orders.xsd` and their codecs.

use time::OffsetDateTime;

use super::model::{Address, Order, OrderLine, OrderStatus, ReportGrouping, SalesRow};
use crate::codec::{Decode, Decoder, Encode, Many, Message, Slot, enum_codec};
use crate::common::format_minor;
use crate::xml::{Namespace, XmlError, XmlWriter};

/// `http://soapstone.dev/schema/orders/v1`.
pub const ORDERS: Namespace = Namespace {
    uri: "http://soapstone.dev/schema/orders/v1",
    prefix: "ord",
};
const NS: &str = ORDERS.uri;

enum_codec!(OrderStatus, ReportGrouping);

macro_rules! message {
    ($($t:ident),*) => {$(
        impl Message for $t {
            const NAMESPACE: Namespace = ORDERS;
            const NAME: &'static str = stringify!($t);
        }
    )*};
}
message!(
    PlaceOrder,
    PlaceOrderResponse,
    GetOrder,
    GetOrderResponse,
    ListOrders,
    ListOrdersResponse,
    CancelOrder,
    CancelOrderResponse,
    ShipOrder,
    ShipOrderResponse,
    SalesReport,
    SalesReportResponse
);

impl Decode for Address {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        let (mut name, mut street, mut city) = (Slot::Absent, Slot::Absent, Slot::Absent);
        let (mut postal_code, mut country) = (Slot::Absent, Slot::Absent);
        while let Some(child) = d.child()? {
            match child.name_in(NS) {
                Some("name") => d.one(&child, "name", &mut name)?,
                Some("street") => d.one(&child, "street", &mut street)?,
                Some("city") => d.one(&child, "city", &mut city)?,
                Some("postalCode") => d.one(&child, "postalCode", &mut postal_code)?,
                Some("country") => d.one(&child, "country", &mut country)?,
                _ => d.unexpected(&child)?,
            }
        }
        let name = d.required(name, "name");
        let street = d.required(street, "street");
        let city = d.required(city, "city");
        let postal_code = d.required(postal_code, "postalCode");
        let country = d.required(country, "country");
        Ok((|| {
            Some(Address {
                name: name?,
                street: street?,
                city: city?,
                postal_code: postal_code?,
                country: country?,
            })
        })())
    }
}

impl Encode for Address {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(ORDERS, "name", &self.name);
        w.element(ORDERS, "street", &self.street);
        w.element(ORDERS, "city", &self.city);
        w.element(ORDERS, "postalCode", &self.postal_code);
        w.element(ORDERS, "country", &self.country);
    }
}

impl Encode for OrderLine {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(ORDERS, "sku", &self.sku);
        w.element(ORDERS, "productName", &self.product_name);
        w.element(ORDERS, "quantity", &self.quantity);
        w.element(ORDERS, "unitPrice", &self.unit_price);
        w.element(ORDERS, "lineTotal", &self.line_total);
    }
}

impl Encode for Order {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(ORDERS, "id", &self.id);
        w.element(ORDERS, "customerId", &self.customer_id);
        w.element(ORDERS, "status", &self.status);
        w.optional(ORDERS, "clientReference", self.client_reference.as_ref());
        w.repeated(ORDERS, "line", &self.lines);
        w.element(ORDERS, "total", &self.total);
        w.element(ORDERS, "currency", &self.currency);
        w.element(ORDERS, "shippingAddress", &self.shipping_address);
        w.element(ORDERS, "placedAt", &self.placed_at);
        w.element(ORDERS, "updatedAt", &self.updated_at);
        w.optional(ORDERS, "cancelReason", self.cancel_reason.as_ref());
    }
}

impl Encode for SalesRow {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(ORDERS, "key", &self.key);
        w.element(ORDERS, "currency", &self.currency);
        w.element(ORDERS, "orderCount", &self.order_count);
        w.element(ORDERS, "quantity", &self.quantity);
        w.open(ORDERS.prefix, "revenue");
        w.raw(&format_minor(self.revenue_minor));
        w.end(ORDERS.prefix, "revenue");
    }
}

/// A response holding one order.
macro_rules! order_response {
    ($($t:ident),*) => {$(
        #[derive(Debug)]
        pub struct $t {
            pub order: Order,
        }

        impl Encode for $t {
            fn encode(&self, w: &mut XmlWriter) {
                w.element(ORDERS, "order", &self.order);
            }
        }
    )*};
}
order_response!(
    PlaceOrderResponse,
    GetOrderResponse,
    CancelOrderResponse,
    ShipOrderResponse
);

/// A request holding only an order id.
macro_rules! id_request {
    ($($t:ident),*) => {$(
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $t {
            pub id: i64,
        }

        impl Decode for $t {
            fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
                let mut id = Slot::Absent;
                while let Some(child) = d.child()? {
                    match child.name_in(NS) {
                        Some("id") => d.one(&child, "id", &mut id)?,
                        _ => d.unexpected(&child)?,
                    }
                }
                Ok(d.required(id, "id").map(|id| $t { id }))
            }
        }
    )*};
}
id_request!(GetOrder, ShipOrder);

/// `OrderLineRequest`: a SKU and how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRequest {
    pub sku: String,
    pub quantity: i32,
}

impl Decode for LineRequest {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        let (mut sku, mut quantity) = (Slot::Absent, Slot::Absent);
        while let Some(child) = d.child()? {
            match child.name_in(NS) {
                Some("sku") => d.one(&child, "sku", &mut sku)?,
                Some("quantity") => d.one(&child, "quantity", &mut quantity)?,
                _ => d.unexpected(&child)?,
            }
        }
        let (sku, quantity) = (d.required(sku, "sku"), d.required(quantity, "quantity"));
        Ok((|| {
            Some(LineRequest {
                sku: sku?,
                quantity: quantity?,
            })
        })())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceOrder {
    pub customer_id: i64,
    pub lines: Vec<LineRequest>,
    pub shipping_address: Address,
    pub client_reference: Option<String>,
}

impl Decode for PlaceOrder {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        let (mut customer_id, mut address, mut client_reference) =
            (Slot::Absent, Slot::Absent, Slot::Absent);
        let mut lines = Many::default();
        while let Some(child) = d.child()? {
            match child.name_in(NS) {
                Some("customerId") => d.one(&child, "customerId", &mut customer_id)?,
                Some("line") => d.many(&child, "line", &mut lines)?,
                Some("shippingAddress") => d.one(&child, "shippingAddress", &mut address)?,
                Some("clientReference") => {
                    d.one(&child, "clientReference", &mut client_reference)?
                }
                _ => d.unexpected(&child)?,
            }
        }
        let customer_id = d.required(customer_id, "customerId");
        let lines = d.at_least_one(lines, "line");
        let address = d.required(address, "shippingAddress");
        Ok((|| {
            Some(PlaceOrder {
                customer_id: customer_id?,
                lines: lines?,
                shipping_address: address?,
                client_reference: client_reference.into_option(),
            })
        })())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListOrders {
    pub customer_id: Option<i64>,
    pub status: Option<OrderStatus>,
    pub placed_from: Option<OffsetDateTime>,
    pub placed_to: Option<OffsetDateTime>,
    pub page_size: Option<i32>,
    pub page_token: Option<String>,
}

impl Decode for ListOrders {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        let (mut customer_id, mut status, mut placed_from) =
            (Slot::Absent, Slot::Absent, Slot::Absent);
        let (mut placed_to, mut page_size, mut page_token) =
            (Slot::Absent, Slot::Absent, Slot::Absent);
        while let Some(child) = d.child()? {
            match child.name_in(NS) {
                Some("customerId") => d.one(&child, "customerId", &mut customer_id)?,
                Some("status") => d.one(&child, "status", &mut status)?,
                Some("placedFrom") => d.one(&child, "placedFrom", &mut placed_from)?,
                Some("placedTo") => d.one(&child, "placedTo", &mut placed_to)?,
                Some("pageSize") => d.one(&child, "pageSize", &mut page_size)?,
                Some("pageToken") => d.one(&child, "pageToken", &mut page_token)?,
                _ => d.unexpected(&child)?,
            }
        }
        Ok(Some(ListOrders {
            customer_id: customer_id.into_option(),
            status: status.into_option(),
            placed_from: placed_from.into_option(),
            placed_to: placed_to.into_option(),
            page_size: page_size.into_option(),
            page_token: page_token.into_option(),
        }))
    }
}

#[derive(Debug)]
pub struct ListOrdersResponse {
    pub orders: Vec<Order>,
    pub next_page_token: Option<String>,
    pub total_count: i64,
}

impl Encode for ListOrdersResponse {
    fn encode(&self, w: &mut XmlWriter) {
        w.repeated(ORDERS, "order", &self.orders);
        w.optional(ORDERS, "nextPageToken", self.next_page_token.as_ref());
        w.element(ORDERS, "totalCount", &self.total_count);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelOrder {
    pub id: i64,
    pub reason: String,
}

impl Decode for CancelOrder {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        let (mut id, mut reason) = (Slot::Absent, Slot::Absent);
        while let Some(child) = d.child()? {
            match child.name_in(NS) {
                Some("id") => d.one(&child, "id", &mut id)?,
                Some("reason") => d.one(&child, "reason", &mut reason)?,
                _ => d.unexpected(&child)?,
            }
        }
        let (id, reason) = (d.required(id, "id"), d.required(reason, "reason"));
        Ok((|| {
            Some(CancelOrder {
                id: id?,
                reason: reason?,
            })
        })())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesReport {
    pub from: OffsetDateTime,
    pub to: OffsetDateTime,
    pub group_by: ReportGrouping,
}

impl Decode for SalesReport {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        let (mut from, mut to, mut group_by) = (Slot::Absent, Slot::Absent, Slot::Absent);
        while let Some(child) = d.child()? {
            match child.name_in(NS) {
                Some("from") => d.one(&child, "from", &mut from)?,
                Some("to") => d.one(&child, "to", &mut to)?,
                Some("groupBy") => d.one(&child, "groupBy", &mut group_by)?,
                _ => d.unexpected(&child)?,
            }
        }
        let (from, to, group_by) = (
            d.required(from, "from"),
            d.required(to, "to"),
            d.required(group_by, "groupBy"),
        );
        Ok((|| {
            Some(SalesReport {
                from: from?,
                to: to?,
                group_by: group_by?,
            })
        })())
    }
}

#[derive(Debug)]
pub struct SalesReportResponse {
    pub rows: Vec<SalesRow>,
}

impl Encode for SalesReportResponse {
    fn encode(&self, w: &mut XmlWriter) {
        w.repeated(ORDERS, "row", &self.rows);
    }
}

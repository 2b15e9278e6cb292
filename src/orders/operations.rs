//! The OrderService operation handlers and who may call them: typed messages in, service
//! calls, typed messages out.

use super::messages::{
    CancelOrder, CancelOrderResponse, GetOrder, GetOrderResponse, ListOrders, ListOrdersResponse,
    PlaceOrder, PlaceOrderResponse, SalesReport, SalesReportResponse, ShipOrder, ShipOrderResponse,
};
use super::model::{NewOrder, OrderFilter};
use super::service::{ListOrdersRequest, OrderError, OrderService};
use crate::common::PageToken;
use crate::contract::ORDER_SERVICE;
use crate::dispatch::{Service, State};
use crate::security::{Caller, roles};

/// The SOAP service definition: every operation of `wsdl/OrderService.wsdl` with its access
/// rule. Customers place, read, list and cancel only their own orders; staff (and, for
/// reading, auditors) any.
pub fn soap_service(orders: OrderService) -> Service<OrderService> {
    Service::for_contract(&ORDER_SERVICE, orders)
        .operation(place_order, roles::ORDERING)
        .operation(get_order, roles::EVERYONE)
        .operation(list_orders, roles::EVERYONE)
        .operation(cancel_order, roles::ORDERING)
        .operation(ship_order, roles::STAFF)
        .operation(sales_report, roles::STAFF_AND_AUDITORS)
}

async fn place_order(
    State(orders): State<OrderService>,
    caller: Caller,
    request: PlaceOrder,
) -> Result<PlaceOrderResponse, OrderError> {
    caller.owns_or(request.customer_id, roles::STAFF)?;
    let order = orders
        .place(NewOrder {
            customer_id: request.customer_id,
            lines: request
                .line
                .into_iter()
                .map(|line| (line.sku.0, line.quantity.0))
                .collect(),
            shipping_address: request.shipping_address.into(),
            client_reference: request.client_reference.map(|reference| reference.0),
        })
        .await?;
    Ok(PlaceOrderResponse {
        order: order.into(),
    })
}

async fn get_order(
    State(orders): State<OrderService>,
    caller: Caller,
    request: GetOrder,
) -> Result<GetOrderResponse, OrderError> {
    let order = orders.get(request.id).await?;
    caller.owns_or(order.customer_id, roles::STAFF_AND_AUDITORS)?;
    Ok(GetOrderResponse {
        order: order.into(),
    })
}

async fn list_orders(
    State(orders): State<OrderService>,
    caller: Caller,
    request: ListOrders,
) -> Result<ListOrdersResponse, OrderError> {
    let customer_id = match (caller.scope(roles::STAFF_AND_AUDITORS), request.customer_id) {
        (None, requested) => requested,
        (Some(own), None) => Some(own),
        (Some(own), Some(requested)) => {
            caller.owns_or(requested, roles::STAFF_AND_AUDITORS)?;
            Some(own)
        }
    };
    let page = orders
        .list(ListOrdersRequest {
            filter: OrderFilter {
                customer_id,
                status: request.status,
                placed_from: request.placed_from,
                placed_to: request.placed_to,
            },
            page_size: request.page_size.map(|size| size.0),
            page_token: request.page_token.map(|token| token.0),
        })
        .await?;
    Ok(ListOrdersResponse {
        order: page.orders.into_iter().map(Into::into).collect(),
        next_page_token: page.next_page_token.map(PageToken),
        total_count: page.total,
    })
}

async fn cancel_order(
    State(orders): State<OrderService>,
    caller: Caller,
    request: CancelOrder,
) -> Result<CancelOrderResponse, OrderError> {
    if caller.scope(roles::STAFF).is_some() {
        let order = orders.get(request.id).await?;
        caller.owns_or(order.customer_id, roles::STAFF)?;
    }
    let order = orders.cancel(request.id, request.reason.0).await?;
    Ok(CancelOrderResponse {
        order: order.into(),
    })
}

async fn ship_order(
    State(orders): State<OrderService>,
    request: ShipOrder,
) -> Result<ShipOrderResponse, OrderError> {
    let order = orders.ship(request.id).await?;
    Ok(ShipOrderResponse {
        order: order.into(),
    })
}

async fn sales_report(
    State(orders): State<OrderService>,
    request: SalesReport,
) -> Result<SalesReportResponse, OrderError> {
    let rows = orders
        .sales_report(request.from, request.to, request.group_by)
        .await?;
    Ok(SalesReportResponse {
        row: rows.into_iter().map(Into::into).collect(),
    })
}

//! The benchmark operations: Echo returns what it was sent; GetItem computes an item from its
//! id, as the shared contract specifies.

use std::convert::Infallible;

use rust_decimal::Decimal;
use time::macros::datetime;

use super::messages::{Echo, EchoResponse, GetItem, GetItemResponse};
use crate::contract::BENCH_SERVICE;
use crate::dispatch::Service;
use crate::security::Access;

/// The SOAP service definition of `wsdl/BenchService.wsdl`.
pub fn soap_service() -> Service<()> {
    Service::for_contract(&BENCH_SERVICE, ())
        .operation(echo, Access::Public)
        .operation(get_item, Access::Public)
}

async fn echo(request: Echo) -> Result<EchoResponse, Infallible> {
    Ok(EchoResponse(request.0))
}

async fn get_item(request: GetItem) -> Result<GetItemResponse, Infallible> {
    let id = request.id;
    Ok(GetItemResponse {
        id,
        name: format!("Item {id}"),
        price: (Decimal::from(id) * Decimal::new(125, 2)).round_dp(2),
        quantity: i32::try_from((i64::from(id) * 3).rem_euclid(1000)).unwrap_or_default(),
        updated: datetime!(2024-05-17 12:34:56 UTC),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{Bound, check_registration};
    use crate::dispatch::SoapService;

    #[test]
    fn the_service_binds_exactly_the_operations_of_its_wsdl() {
        let service = soap_service();
        let bound: Vec<Bound<'_>> = service.operations().iter().map(|op| op.bound()).collect();
        assert_eq!(check_registration(service.contract(), &bound), Ok(()));
    }
}

//! The checks of an order's lines that every storage backend applies, in one place and in one
//! order: each line's product exists and is active, shares line 1's currency and has the stock,
//! and the total stays within the largest amount. The backends only read the products.

use std::borrow::Borrow;

use super::model::NewOrder;
use super::repository::PlaceOutcome;
use crate::common::Money;

/// A product as placing an order needs it.
pub(super) struct Stocked {
    pub id: i64,
    pub price: Money,
    pub currency: String,
    pub stock: i64,
    pub active: bool,
}

/// The products of `order`'s lines, in line order, and its total; or why it cannot be placed.
/// `find` reads a product by SKU (`None` when there is none); its error ends the check.
pub(super) fn check_lines<P: Borrow<Stocked>, E>(
    order: &NewOrder,
    mut find: impl FnMut(&str) -> Result<Option<P>, E>,
) -> Result<Result<(Vec<P>, Money), PlaceOutcome>, E> {
    let mut taken: Vec<P> = Vec::with_capacity(order.lines.len());
    let mut total = Money::ZERO;
    for (i, (sku, quantity)) in order.lines.iter().enumerate() {
        let line = i + 1;
        let Some(found) = find(sku)? else {
            return Ok(Err(PlaceOutcome::UnknownProduct {
                line,
                sku: sku.clone(),
            }));
        };
        let product = found.borrow();
        if !product.active {
            return Ok(Err(PlaceOutcome::Discontinued {
                line,
                sku: sku.clone(),
            }));
        }
        if taken
            .first()
            .is_some_and(|first| first.borrow().currency != product.currency)
        {
            return Ok(Err(PlaceOutcome::MixedCurrencies { line }));
        }
        let requested = i64::from(*quantity);
        if product.stock < requested {
            return Ok(Err(PlaceOutcome::InsufficientStock {
                sku: sku.clone(),
                requested,
                available: product.stock,
            }));
        }
        match product.price.times(requested).and_then(|t| total.plus(t)) {
            Some(sum) => total = sum,
            None => return Ok(Err(PlaceOutcome::TooLarge)),
        }
        taken.push(found);
    }
    Ok(Ok((taken, total)))
}

//! The benchmark contract's request decoders as they were hand-written on the codec before
//! contractgen generated them (`git show 22e93ec^:src/bench/messages.rs`), kept as the
//! baseline the generated decoders are measured against in the same run.

use rust_decimal::Decimal;
use soapstone::codec::{Decode, Decoder, Many, Message, Slot};
use soapstone::xml::{Namespace, XmlError};
use time::OffsetDateTime;

const BENCH: Namespace = soapstone::bench::BENCH;
const NS: &str = BENCH.uri;

macro_rules! message {
    ($($t:ident),*) => {$(
        impl Message for $t {
            const NAMESPACE: Namespace = BENCH;
            const NAME: &'static str = stringify!($t);
        }
    )*};
}
message!(Echo, GetItem);

/// `Item`: one line of an Echo.
pub struct Item {
    pub id: i32,
    pub name: String,
    pub price: Decimal,
}

impl Decode for Item {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        let (mut id, mut name, mut price) = (Slot::Absent, Slot::Absent, Slot::Absent);
        while let Some(child) = d.child()? {
            match child.name_in(NS) {
                Some("id") => d.one(&child, "id", &mut id)?,
                Some("name") => d.one(&child, "name", &mut name)?,
                Some("price") => d.one(&child, "price", &mut price)?,
                _ => d.unexpected(&child)?,
            }
        }
        let (id, name, price) = (
            d.required(id, "id"),
            d.required(name, "name"),
            d.required(price, "price"),
        );
        Ok((|| {
            Some(Item {
                id: id?,
                name: name?,
                price: price?,
            })
        })())
    }
}

/// `ItemList`: the items of an Echo.
pub struct ItemList(pub Vec<Item>);

impl Decode for ItemList {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        let mut items = Many::default();
        while let Some(child) = d.child()? {
            match child.name_in(NS) {
                Some("item") => d.many(&child, "item", &mut items)?,
                _ => d.unexpected(&child)?,
            }
        }
        Ok(items.into_items().map(ItemList))
    }
}

/// `Echo` and `EchoResponse` share their content.
pub struct EchoContent {
    pub text: String,
    pub count: i32,
    pub amount: Decimal,
    pub stamp: OffsetDateTime,
    pub items: ItemList,
}

impl Decode for EchoContent {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        let (mut text, mut count, mut amount) = (Slot::Absent, Slot::Absent, Slot::Absent);
        let (mut stamp, mut items) = (Slot::Absent, Slot::Absent);
        while let Some(child) = d.child()? {
            match child.name_in(NS) {
                Some("text") => d.one(&child, "text", &mut text)?,
                Some("count") => d.one(&child, "count", &mut count)?,
                Some("amount") => d.one(&child, "amount", &mut amount)?,
                Some("stamp") => d.one(&child, "stamp", &mut stamp)?,
                Some("items") => d.one(&child, "items", &mut items)?,
                _ => d.unexpected(&child)?,
            }
        }
        let text = d.required(text, "text");
        let count = d.required(count, "count");
        let amount = d.required(amount, "amount");
        let stamp = d.required(stamp, "stamp");
        let items = d.required(items, "items");
        Ok((|| {
            Some(EchoContent {
                text: text?,
                count: count?,
                amount: amount?,
                stamp: stamp?,
                items: items?,
            })
        })())
    }
}

/// `Echo`: every value comes back in an `EchoResponse`.
pub struct Echo(pub EchoContent);

impl Decode for Echo {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        Ok(EchoContent::decode(d)?.map(Echo))
    }
}

/// `GetItem`.
pub struct GetItem {
    pub id: i32,
    pub client_ref: String,
}

impl Decode for GetItem {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        let (mut id, mut client_ref) = (Slot::Absent, Slot::Absent);
        while let Some(child) = d.child()? {
            match child.name_in(NS) {
                Some("id") => d.one(&child, "id", &mut id)?,
                Some("clientRef") => d.one(&child, "clientRef", &mut client_ref)?,
                _ => d.unexpected(&child)?,
            }
        }
        let (id, client_ref) = (d.required(id, "id"), d.required(client_ref, "clientRef"));
        Ok((|| {
            Some(GetItem {
                id: id?,
                client_ref: client_ref?,
            })
        })())
    }
}

/// Whether the baseline decoded `bytes`' Echo exactly as the generated decoder did.
pub fn same_echo(baseline: &Echo, generated: &soapstone::bench::Echo) -> bool {
    let (a, b) = (&baseline.0, &generated.0);
    (a.text.as_str(), a.count, a.amount, a.stamp) == (b.text.as_str(), b.count, b.amount, b.stamp)
        && a.items.0.len() == b.items.item.len()
        && a.items
            .0
            .iter()
            .zip(&b.items.item)
            .all(|(x, y)| (x.id, x.name.as_str(), x.price) == (y.id, y.name.as_str(), y.price))
}

/// Whether the baseline decoded a GetItem exactly as the generated decoder did.
pub fn same_get_item(baseline: &GetItem, generated: &soapstone::bench::GetItem) -> bool {
    (baseline.id, baseline.client_ref.as_str()) == (generated.id, generated.client_ref.as_str())
}

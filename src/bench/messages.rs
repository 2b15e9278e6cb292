//! Messages of the benchmark contract and their codecs.

use rust_decimal::Decimal;
use time::OffsetDateTime;

use crate::codec::{Decode, Decoder, Encode, Many, Message, Slot};
use crate::xml::{Namespace, XmlError, XmlWriter};

/// `urn:bench`.
pub const BENCH: Namespace = Namespace {
    uri: "urn:bench",
    prefix: "b",
};
const NS: &str = BENCH.uri;

macro_rules! message {
    ($($t:ident),*) => {$(
        impl Message for $t {
            const NAMESPACE: Namespace = BENCH;
            const NAME: &'static str = stringify!($t);
        }
    )*};
}
message!(Echo, EchoResponse, GetItem, GetItemResponse);

/// `Item`: one line of an Echo.
#[derive(Debug, Clone, PartialEq, Eq)]
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

impl Encode for Item {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(BENCH, "id", &self.id);
        w.element(BENCH, "name", &self.name);
        w.element(BENCH, "price", &self.price);
    }
}

/// `ItemList`: the items of an Echo.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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

impl Encode for ItemList {
    fn encode(&self, w: &mut XmlWriter) {
        w.repeated(BENCH, "item", &self.0);
    }
}

/// `Echo` and `EchoResponse` share their content.
#[derive(Debug, Clone, PartialEq, Eq)]
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

impl Encode for EchoContent {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(BENCH, "text", &self.text);
        w.element(BENCH, "count", &self.count);
        w.element(BENCH, "amount", &self.amount);
        w.element(BENCH, "stamp", &self.stamp);
        w.element(BENCH, "items", &self.items);
    }
}

/// `Echo`: every value comes back in an `EchoResponse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Echo(pub EchoContent);

impl Decode for Echo {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        Ok(EchoContent::decode(d)?.map(Echo))
    }
}

/// `EchoResponse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EchoResponse(pub EchoContent);

impl Encode for EchoResponse {
    fn encode(&self, w: &mut XmlWriter) {
        self.0.encode(w);
    }
}

/// `GetItem`.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// `GetItemResponse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetItemResponse {
    pub id: i32,
    pub name: String,
    pub price: Decimal,
    pub quantity: i32,
    pub updated: OffsetDateTime,
}

impl Encode for GetItemResponse {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(BENCH, "id", &self.id);
        w.element(BENCH, "name", &self.name);
        w.element(BENCH, "price", &self.price);
        w.element(BENCH, "quantity", &self.quantity);
        w.element(BENCH, "updated", &self.updated);
    }
}

//! The SOAP messages of `xsd/users.xsd` and their codecs. Children are written in
//! xs:sequence order; on input any order is accepted, unknown or misplaced elements are not.

use super::model::{Role, User, UserKey, UserSort, UserStatus};
use crate::codec::{Decode, Decoder, Encode, Many, Message, Slot, enum_codec};
use crate::xml::{Namespace, XmlError, XmlWriter};

/// `http://soapstone.dev/schema/users/v1`.
pub const USERS: Namespace = Namespace {
    uri: "http://soapstone.dev/schema/users/v1",
    prefix: "u",
};
const NS: &str = USERS.uri;

enum_codec!(Role, UserStatus, UserSort);

macro_rules! message {
    ($($t:ident),*) => {$(
        impl Message for $t {
            const NAMESPACE: Namespace = USERS;
            const NAME: &'static str = stringify!($t);
        }
    )*};
}
message!(
    CreateUser,
    CreateUserResponse,
    GetUser,
    GetUserResponse,
    ListUsers,
    ListUsersResponse,
    UpdateUser,
    UpdateUserResponse,
    DeleteUser,
    DeleteUserResponse,
    SetPassword,
    SetPasswordResponse
);

impl Encode for User {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(USERS, "id", &self.id);
        w.element(USERS, "username", &self.username);
        w.element(USERS, "email", &self.email);
        w.optional(USERS, "displayName", self.display_name.as_ref());
        w.repeated(USERS, "role", &self.roles);
        w.element(USERS, "status", &self.status);
        w.element(USERS, "createdAt", &self.created_at);
        w.element(USERS, "updatedAt", &self.updated_at);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateUser {
    pub username: String,
    pub email: String,
    pub display_name: Option<String>,
    pub roles: Vec<Role>,
    pub password: Option<String>,
}

impl Decode for CreateUser {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        let (mut username, mut email, mut display_name, mut password) =
            (Slot::Absent, Slot::Absent, Slot::Absent, Slot::Absent);
        let mut roles = Many::default();
        while let Some(child) = d.child()? {
            match child.name_in(NS) {
                Some("username") => d.one(&child, "username", &mut username)?,
                Some("email") => d.one(&child, "email", &mut email)?,
                Some("displayName") => d.one(&child, "displayName", &mut display_name)?,
                Some("role") => d.many(&child, "role", &mut roles)?,
                Some("password") => d.one(&child, "password", &mut password)?,
                _ => d.unexpected(&child)?,
            }
        }
        let username = d.required(username, "username");
        let email = d.required(email, "email");
        let roles = d.at_least_one(roles, "role");
        Ok((|| {
            Some(CreateUser {
                username: username?,
                email: email?,
                display_name: display_name.into_option(),
                roles: roles?,
                password: password.into_option(),
            })
        })())
    }
}

#[derive(Debug)]
pub struct CreateUserResponse {
    pub user: User,
}

impl Encode for CreateUserResponse {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(USERS, "user", &self.user);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetUser {
    pub key: UserKey,
}

impl Decode for GetUser {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        let (mut id, mut username) = (Slot::<i64>::Absent, Slot::<String>::Absent);
        while let Some(child) = d.child()? {
            match child.name_in(NS) {
                Some("id") => d.one(&child, "id", &mut id)?,
                Some("username") => d.one(&child, "username", &mut username)?,
                _ => d.unexpected(&child)?,
            }
        }
        Ok(match (id, username) {
            (Slot::Value(id), Slot::Absent) => Some(GetUser {
                key: UserKey::Id(id),
            }),
            (Slot::Absent, Slot::Value(name)) => Some(GetUser {
                key: UserKey::Username(name),
            }),
            (Slot::Absent, Slot::Absent) | (Slot::Value(_), Slot::Value(_)) => {
                d.issue("exactly one of id or username is required");
                None
            }
            _ => None,
        })
    }
}

#[derive(Debug)]
pub struct GetUserResponse {
    pub user: User,
}

impl Encode for GetUserResponse {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(USERS, "user", &self.user);
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListUsers {
    pub role: Option<Role>,
    pub status: Option<UserStatus>,
    pub email_contains: Option<String>,
    pub sort_by: Option<UserSort>,
    pub descending: Option<bool>,
    pub page_size: Option<i32>,
    pub page_token: Option<String>,
}

impl Decode for ListUsers {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        let mut role = Slot::Absent;
        let mut status = Slot::Absent;
        let mut email_contains = Slot::Absent;
        let mut sort_by = Slot::Absent;
        let mut descending = Slot::Absent;
        let mut page_size = Slot::Absent;
        let mut page_token = Slot::Absent;
        while let Some(child) = d.child()? {
            match child.name_in(NS) {
                Some("role") => d.one(&child, "role", &mut role)?,
                Some("status") => d.one(&child, "status", &mut status)?,
                Some("emailContains") => d.one(&child, "emailContains", &mut email_contains)?,
                Some("sortBy") => d.one(&child, "sortBy", &mut sort_by)?,
                Some("descending") => d.one(&child, "descending", &mut descending)?,
                Some("pageSize") => d.one(&child, "pageSize", &mut page_size)?,
                Some("pageToken") => d.one(&child, "pageToken", &mut page_token)?,
                _ => d.unexpected(&child)?,
            }
        }
        Ok(Some(ListUsers {
            role: role.into_option(),
            status: status.into_option(),
            email_contains: email_contains.into_option(),
            sort_by: sort_by.into_option(),
            descending: descending.into_option(),
            page_size: page_size.into_option(),
            page_token: page_token.into_option(),
        }))
    }
}

#[derive(Debug)]
pub struct ListUsersResponse {
    pub users: Vec<User>,
    pub next_page_token: Option<String>,
    pub total_count: i64,
}

impl Encode for ListUsersResponse {
    fn encode(&self, w: &mut XmlWriter) {
        w.repeated(USERS, "user", &self.users);
        w.optional(USERS, "nextPageToken", self.next_page_token.as_ref());
        w.element(USERS, "totalCount", &self.total_count);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateUser {
    pub id: i64,
    pub email: Option<String>,
    /// `Some(None)`: sent with `xsi:nil="true"`.
    pub display_name: Option<Option<String>>,
    pub status: Option<UserStatus>,
}

impl Decode for UpdateUser {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        let (mut id, mut email, mut display_name, mut status) =
            (Slot::Absent, Slot::Absent, Slot::Absent, Slot::Absent);
        while let Some(child) = d.child()? {
            match child.name_in(NS) {
                Some("id") => d.one(&child, "id", &mut id)?,
                Some("email") => d.one(&child, "email", &mut email)?,
                Some("displayName") => d.one_nillable(&child, "displayName", &mut display_name)?,
                Some("status") => d.one(&child, "status", &mut status)?,
                _ => d.unexpected(&child)?,
            }
        }
        let id = d.required(id, "id");
        let display_name = match display_name {
            Slot::Nil => Some(None),
            Slot::Value(name) => Some(Some(name)),
            Slot::Absent | Slot::Invalid => None,
        };
        Ok(id.map(|id| UpdateUser {
            id,
            email: email.into_option(),
            display_name,
            status: status.into_option(),
        }))
    }
}

#[derive(Debug)]
pub struct UpdateUserResponse {
    pub user: User,
}

impl Encode for UpdateUserResponse {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(USERS, "user", &self.user);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteUser {
    pub id: i64,
}

impl Decode for DeleteUser {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        let mut id = Slot::Absent;
        while let Some(child) = d.child()? {
            match child.name_in(NS) {
                Some("id") => d.one(&child, "id", &mut id)?,
                _ => d.unexpected(&child)?,
            }
        }
        Ok(d.required(id, "id").map(|id| DeleteUser { id }))
    }
}

#[derive(Debug)]
pub struct DeleteUserResponse {
    pub deleted: bool,
}

impl Encode for DeleteUserResponse {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(USERS, "deleted", &self.deleted);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetPassword {
    pub id: i64,
    pub new_password: String,
}

impl Decode for SetPassword {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        let (mut id, mut new_password) = (Slot::Absent, Slot::Absent);
        while let Some(child) = d.child()? {
            match child.name_in(NS) {
                Some("id") => d.one(&child, "id", &mut id)?,
                Some("newPassword") => d.one(&child, "newPassword", &mut new_password)?,
                _ => d.unexpected(&child)?,
            }
        }
        let id = d.required(id, "id");
        let new_password = d.required(new_password, "newPassword");
        Ok((|| {
            Some(SetPassword {
                id: id?,
                new_password: new_password?,
            })
        })())
    }
}

#[derive(Debug)]
pub struct SetPasswordResponse {
    pub id: i64,
}

impl Encode for SetPasswordResponse {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(USERS, "id", &self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::testing::{decode, issues};
    use crate::codec::write_message;

    #[test]
    fn decodes_create_user_keeping_whitespace_and_entities() {
        let m: CreateUser = decode(
            "<u:username>alice</u:username><u:email>a@b.co</u:email>\
             <u:displayName>  Ö &amp; &lt;x&gt; &apos;q&apos; <![CDATA[<raw>]]> </u:displayName>\
             <u:role>admin</u:role><u:role> clerk </u:role>",
        )
        .unwrap();
        assert_eq!(m.display_name.as_deref(), Some("  Ö & <x> 'q' <raw> "));
        assert_eq!(m.roles, vec![Role::Admin, Role::Clerk]);
    }

    #[test]
    fn reports_every_problem_with_its_path() {
        let e = decode::<CreateUser>(
            r#"<u:username>alice</u:username><u:email xmlns:u="urn:wrong">a@b.co</u:email><u:role>admin</u:role><u:role>boss</u:role><u:username>x</u:username>"#,
        )
        .unwrap_err();
        let got = issues(e);
        assert_eq!(got[0].0, "email");
        assert!(got[0].1.contains("urn:wrong"), "{got:?}");
        assert_eq!(
            got[1],
            (
                "role[2]".into(),
                "'boss' is not one of: admin, clerk, customer, auditor".into()
            )
        );
        assert_eq!(got[2], ("username".into(), "may occur only once".into()));
        assert_eq!(got[3], ("email".into(), "is required".into()));
        assert_eq!(got.len(), 4);
    }

    #[test]
    fn tells_nil_from_absent() {
        let m: UpdateUser = decode(r#"<u:id>3</u:id><u:displayName xsi:nil="true"/>"#).unwrap();
        assert_eq!(m.display_name, Some(None));
        let m: UpdateUser = decode("<u:id>3</u:id>").unwrap();
        assert_eq!(m.display_name, None);
        let e = decode::<UpdateUser>(r#"<u:id xsi:nil="true"/>"#).unwrap_err();
        assert_eq!(issues(e), vec![("id".into(), "must not be nil".into())]);
    }

    #[test]
    fn get_user_is_a_choice() {
        assert_eq!(
            decode::<GetUser>("<u:id> 7 </u:id>").unwrap().key,
            UserKey::Id(7)
        );
        let e = decode::<GetUser>("<u:id>7</u:id><u:username>bob</u:username>").unwrap_err();
        assert_eq!(issues(e)[0].1, "exactly one of id or username is required");
        let e = decode::<GetUser>("<u:id>seven</u:id>").unwrap_err();
        assert_eq!(
            issues(e),
            vec![("id".into(), "'seven' is not a valid xs:long".into())]
        );
        let e = decode::<GetUser>("<u:id><u:x/></u:id>").unwrap_err();
        assert_eq!(issues(e)[0].1, "must hold text, not child elements");
    }

    #[test]
    fn encodes_in_sequence_order_qualified() {
        let at = time::macros::datetime!(2026-01-02 03:04:05.678 UTC);
        let user = User {
            id: 1,
            username: "a".into(),
            email: "a@b.co".into(),
            display_name: None,
            roles: vec![Role::Admin, Role::Auditor],
            status: UserStatus::Active,
            created_at: at,
            updated_at: at,
        };
        let mut w = XmlWriter::default();
        write_message(&mut w, &GetUserResponse { user });
        assert_eq!(
            String::from_utf8(w.into_bytes()).unwrap(),
            format!(
                r#"<u:GetUserResponse xmlns:u="{NS}"><u:user><u:id>1</u:id><u:username>a</u:username><u:email>a@b.co</u:email><u:role>admin</u:role><u:role>auditor</u:role><u:status>active</u:status><u:createdAt>2026-01-02T03:04:05.678Z</u:createdAt><u:updatedAt>2026-01-02T03:04:05.678Z</u:updatedAt></u:user></u:GetUserResponse>"#
            )
        );
    }
}

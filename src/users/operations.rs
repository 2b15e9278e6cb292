//! The UserService operation handlers and who may call them: typed messages in, service
//! calls, typed messages out.

use super::messages::{
    CreateUser, CreateUserResponse, DeleteUser, DeleteUserResponse, GetUser, GetUserByEmail,
    GetUserByEmailResponse, GetUserResponse, ListUsers, ListUsersResponse, SetPassword,
    SetPasswordResponse, UpdateUser, UpdateUserResponse,
};
use super::model::{NewUser, User, UserChanges, UserFilter, UserKey};
use super::service::{ListRequest, UserError, UserService};
use crate::common::PageToken;
use crate::contract::USER_SERVICE;
use crate::dispatch::{Service, State};
use crate::security::{Access, Caller, roles};

/// The SOAP service definition: every operation of `wsdl/UserService.wsdl` with its access
/// rule. Operations open to any authenticated user act only on the caller itself unless the
/// caller is an admin (or, for reading, an auditor).
pub fn soap_service(users: UserService) -> Service<UserService> {
    Service::for_contract(&USER_SERVICE, users)
        .operation(create_user, roles::ADMIN)
        .operation(get_user, Access::Authenticated)
        .operation(get_user_by_email, Access::Authenticated)
        .operation(list_users, roles::READERS)
        .operation(update_user, Access::Authenticated)
        .operation(delete_user, roles::ADMIN)
        .operation(set_password, Access::Authenticated)
}

async fn create_user(
    State(users): State<UserService>,
    request: CreateUser,
) -> Result<CreateUserResponse, UserError> {
    let user = users
        .create(
            NewUser {
                username: request.username.0,
                email: request.email.0,
                display_name: request.display_name.map(|name| name.0),
                roles: request.role,
            },
            request.password.map(|password| password.0),
        )
        .await?;
    Ok(CreateUserResponse { user: user.into() })
}

async fn get_user(
    State(users): State<UserService>,
    caller: Caller,
    request: GetUser,
) -> Result<GetUserResponse, UserError> {
    let key = match request {
        GetUser::Id(id) => UserKey::Id(id),
        GetUser::Username(name) => UserKey::Username(name.0),
    };
    Ok(GetUserResponse {
        user: read_user(&users, &caller, key).await?.into(),
    })
}

async fn get_user_by_email(
    State(users): State<UserService>,
    caller: Caller,
    request: GetUserByEmail,
) -> Result<GetUserByEmailResponse, UserError> {
    let key = UserKey::Email(request.email.0);
    Ok(GetUserByEmailResponse {
        user: read_user(&users, &caller, key).await?.into(),
    })
}

/// The user `key` names, for a caller that may read it: admins and auditors any user, others
/// only themselves. Whose an email is is known only once it is looked up, so a caller asking
/// for another user's email, or one no user has, gets the same AccessDeniedFault.
async fn read_user(users: &UserService, caller: &Caller, key: UserKey) -> Result<User, UserError> {
    let denied = || UserError::from(caller.deny("only admins and auditors read other users"));
    let own = match &key {
        UserKey::Id(id) => *id == caller.user_id,
        UserKey::Username(name) => *name == caller.username,
        UserKey::Email(_) => false,
    };
    if own || caller.has_any(roles::READERS) {
        return users.get(key).await;
    }
    if !matches!(key, UserKey::Email(_)) {
        return Err(denied());
    }
    match users.get(key).await {
        Ok(user) if user.id == caller.user_id => Ok(user),
        Ok(_) | Err(UserError::NotFound(_)) => Err(denied()),
        Err(e) => Err(e),
    }
}

async fn list_users(
    State(users): State<UserService>,
    request: ListUsers,
) -> Result<ListUsersResponse, UserError> {
    let page = users
        .list(ListRequest {
            filter: UserFilter {
                role: request.role,
                status: request.status,
                email_contains: request.email_contains,
                sort: request.sort_by.unwrap_or_default(),
                descending: request.descending.unwrap_or(false),
            },
            page_size: request.page_size.map(|size| size.0),
            page_token: request.page_token.map(|token| token.0),
        })
        .await?;
    Ok(ListUsersResponse {
        user: page.users.into_iter().map(Into::into).collect(),
        next_page_token: page.next_page_token.map(PageToken),
        total_count: page.total,
    })
}

async fn update_user(
    State(users): State<UserService>,
    caller: Caller,
    request: UpdateUser,
) -> Result<UpdateUserResponse, UserError> {
    caller.owns_or(request.id, roles::ADMIN)?;
    if request.status.is_some() && !caller.has_any(roles::ADMIN) {
        return Err(caller.deny("only admins change a user's status").into());
    }
    let user = users
        .update(
            request.id,
            UserChanges {
                email: request.email.map(|email| email.0),
                display_name: request.display_name.map(|name| name.map(|name| name.0)),
                status: request.status,
            },
        )
        .await?;
    Ok(UpdateUserResponse { user: user.into() })
}

async fn delete_user(
    State(users): State<UserService>,
    request: DeleteUser,
) -> Result<DeleteUserResponse, UserError> {
    let deleted = users.delete(request.id).await?;
    Ok(DeleteUserResponse { deleted })
}

async fn set_password(
    State(users): State<UserService>,
    caller: Caller,
    request: SetPassword,
) -> Result<SetPasswordResponse, UserError> {
    caller.owns_or(request.id, roles::ADMIN)?;
    let keep = caller
        .session
        .as_ref()
        .filter(|_| caller.user_id == request.id)
        .map(|s| s.token_hash);
    users
        .set_password(request.id, request.new_password.0, keep)
        .await?;
    Ok(SetPasswordResponse { id: request.id })
}

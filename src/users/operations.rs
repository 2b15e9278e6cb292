//! The UserService operation handlers: typed messages in, service calls, typed messages out.

use super::messages::{
    CreateUser, CreateUserResponse, DeleteUser, DeleteUserResponse, GetUser, GetUserResponse,
    ListUsers, ListUsersResponse, UpdateUser, UpdateUserResponse,
};
use super::model::{NewUser, UserChanges, UserFilter};
use super::service::{ListRequest, UserError, UserService};
use crate::dispatch::{Service, State};

/// The SOAP service definition: every operation of `wsdl/UserService.wsdl`.
pub fn soap_service(users: UserService) -> Service<UserService> {
    Service::new("UserService", "http://soapstone.dev/users/", users)
        .operation(create_user)
        .operation(get_user)
        .operation(list_users)
        .operation(update_user)
        .operation(delete_user)
}

async fn create_user(
    State(users): State<UserService>,
    request: CreateUser,
) -> Result<CreateUserResponse, UserError> {
    let user = users
        .create(NewUser {
            username: request.username,
            email: request.email,
            display_name: request.display_name,
            roles: request.roles,
        })
        .await?;
    Ok(CreateUserResponse { user })
}

async fn get_user(
    State(users): State<UserService>,
    request: GetUser,
) -> Result<GetUserResponse, UserError> {
    let user = users.get(request.key).await?;
    Ok(GetUserResponse { user })
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
            page_size: request.page_size,
            page_token: request.page_token,
        })
        .await?;
    Ok(ListUsersResponse {
        users: page.users,
        next_page_token: page.next_page_token,
        total_count: page.total,
    })
}

async fn update_user(
    State(users): State<UserService>,
    request: UpdateUser,
) -> Result<UpdateUserResponse, UserError> {
    let user = users
        .update(
            request.id,
            UserChanges {
                email: request.email,
                display_name: request.display_name,
                status: request.status,
            },
        )
        .await?;
    Ok(UpdateUserResponse { user })
}

async fn delete_user(
    State(users): State<UserService>,
    request: DeleteUser,
) -> Result<DeleteUserResponse, UserError> {
    let deleted = users.delete(request.id).await?;
    Ok(DeleteUserResponse { deleted })
}

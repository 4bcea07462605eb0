"""Accounts: users, their memberships (a role within a scope) and API tokens, and the one
policy module that answers "may this user do this action on this object?".

Does not own any institution; memberships point at them."""

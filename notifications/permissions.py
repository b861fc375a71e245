"""Who may do what with notifications. Predicates take (user, object); views answer "not
found" when a permission is missing, so a page that is not yours looks like no page."""

import rules

from accounts.permissions import (
    is_authenticated,
    is_coordinator,
    is_director,
    is_instructor,
    is_office,
)


@rules.predicate
def is_broadcast_author(user, broadcast) -> bool:
    return broadcast is not None and user.is_authenticated and broadcast.author_id == user.pk


# Staff pages: what was sent to whom, and sending a failed message again.
can_view_delivery_log = is_coordinator | is_office | is_director
can_retry_notification = can_view_delivery_log
# Broadcasts: instructors and coordinators write to the audiences their recipient sources allow.
can_compose_broadcast = is_instructor | is_coordinator | is_director
can_view_broadcast = is_director | (can_compose_broadcast & is_broadcast_author)
can_send_broadcast = can_compose_broadcast & is_broadcast_author
can_choose_preferences = is_authenticated

# Names chosen not to clash with Django's model permissions (view_notification, ...).
rules.add_perm("notifications.access_delivery_log", can_view_delivery_log)
rules.add_perm("notifications.retry_notification", can_retry_notification)
rules.add_perm("notifications.compose_broadcast", can_compose_broadcast)
rules.add_perm("notifications.access_broadcast", can_view_broadcast)
rules.add_perm("notifications.dispatch_broadcast", can_send_broadcast)
rules.add_perm("notifications.choose_preferences", can_choose_preferences)

"""The permission matrix: every URL of the project x every role x the expected answer.

`ARGS` says which seeded object (tests/trust/world.py) each URL is asked about: family A's,
group X's. `MATRIX` gives, per URL name and method, the status each role gets. A meta-test fails
when a URL pattern is missing here, so a new page cannot escape the matrix.

"""

from __future__ import annotations

from .world import ROLES

# URL name -> {kwarg: world id key}
ARGS: dict[str, dict[str, str]] = {
    "accounts:password_reset_confirm": {"uidb64": "=OTk5OTk5OQ", "token": "=set-password"},
    "accounts:verify": {"uidb64": "=OTk5OTk5OQ", "token": "=bad-token"},
    "accounts:verify-password": {"uidb64": "=OTk5OTk5OQ", "token": "=bad-token"},
    "notifications:log-detail": {"pk": "notification_a"},
    "notifications:log-retry": {"pk": "notification_a"},
    "notifications:broadcast-detail": {"pk": "broadcast_x"},
    "notifications:broadcast-send": {"pk": "broadcast_x"},
    "notifications:unsubscribe": {"token": "=not-a-token"},
    "roster:group-detail": {"pk": "group_x"},
    "roster:export-csv": {"pk": "group_x"},
    "roster:export-xlsx": {"pk": "group_x"},
    "roster:enrollment-detail": {"group_id": "group_x", "pk": "enrollment_a"},
    "roster:approve": {"group_id": "group_x", "pk": "enrollment_a"},
    "roster:reject": {"group_id": "group_x", "pk": "enrollment_a"},
    "roster:promote": {"group_id": "group_x", "pk": "enrollment_a"},
    "roster:reorder": {"group_id": "group_x", "pk": "enrollment_a"},
    "roster:move": {"group_id": "group_x", "pk": "enrollment_a"},
    "attendance:register": {"pk": "meeting_x"},
    "attendance:mark": {"pk": "meeting_x", "participant_id": "participant_a"},
    "attendance:all-present": {"pk": "meeting_x"},
    "attendance:note": {"pk": "meeting_x"},
    "attendance:meeting-cancel": {"pk": "future_meeting_x"},
    "attendance:meeting-move": {"pk": "future_meeting_x"},
    "attendance:family": {"participant_id": "participant_a"},
    "attendance:absence-report": {
        "participant_id": "participant_a",
        "meeting_id": "future_meeting_x",
    },
    "attendance:absence-withdraw": {
        "participant_id": "participant_a",
        "meeting_id": "future_meeting_x",
    },
    "attendance:group-stats": {"pk": "group_x"},
    "attendance:group-sheet": {"pk": "group_x"},
    "attendance:group-sheet-xlsx": {"pk": "group_x"},
    "attendance:group-sheet-pdf": {"pk": "group_x"},
    "makeups:family": {"participant_id": "participant_a"},
    "makeups:book": {"participant_id": "participant_a", "credit_id": "credit_a"},
    "makeups:cancel": {"participant_id": "participant_a", "booking_id": "=999999"},
    "billing:payment-request": {"pk": "household_a"},
    "billing:payment-request-pdf": {"pk": "household_a"},
    "billing:payment-confirmation-pdf": {"pk": "payment_a"},
    "billing:household-ledger": {"pk": "household_a"},
    "billing:desk-payment": {"pk": "household_a"},
    "billing:credit-note-create": {"pk": "household_a"},
    "billing:discount-grant-create": {"pk": "household_a"},
    "billing:discount-grant-revoke": {"pk": "household_a", "grant_id": "=999999"},
    "billing:statement-detail": {"pk": "statement"},
    "billing:statement-line": {"pk": "statement_line"},
    "billing:statement-line-assign": {"pk": "statement_line"},
    "billing:statement-line-ignore": {"pk": "statement_line"},
    "billing:online-start": {"pk": "household_a"},
    "billing:online-return": {"session_id": "online_session_a"},
    "billing:online-simulator": {"session_id": "online_session_a"},
    "billing:online-simulator-pay": {"session_id": "online_session_a"},
    "privacy:export-json": {"pk": "household_a"},
    "privacy:export-page": {"pk": "household_a"},
    "privacy:erasure-ask": {"pk": "household_a"},
    "privacy:request-detail": {"pk": "erasure_a"},
    "allocation:application-change": {"pk": "application_a"},
    "allocation:application-withdraw": {"pk": "application_a"},
    "allocation:run-start": {"pk": "season"},
    "allocation:run-detail": {"pk": "allocation_run"},
    "allocation:run-decisions": {"pk": "allocation_run"},
    "allocation:run-publish": {"pk": "allocation_run"},
    "enrollment:participant-detail": {"pk": "participant_a"},
    "enrollment:consents-update": {"pk": "participant_a"},
    "enrollment:enroll": {"group_id": "group_x"},
    "enrollment:trial-book": {"group_id": "group_x"},
    "enrollment:enrollment-withdraw": {"pk": "enrollment_a"},
    "enrollment:offer-respond": {"pk": "enrollment_a", "answer": "=accept"},
    "enrollment:household-calendar": {"token": "calendar_token_a"},
    "enrollment:invitation-accept": {"token": "invitation_token_a"},
    "clubs:activity-detail": {"slug": "activity_slug_x"},
    "clubs:group-detail": {"pk": "group_x"},
    "clubs:group-calendar": {"pk": "group_x"},
    "clubs:api-group-detail": {"pk": "group_x"},
}

# URL names outside the matrix, each with the reason.
EXEMPT: dict[str, str] = {
    "healthz": "Health check for the load balancer: public, no data.",
    "set_language": "Sets a cookie; CSRF-exempt on purpose, no data.",
}


# One line per URL name and method: the status each role gets, in the order of the header
# (anonymous, guardian A, guardian B, adult member, instructor of X, instructor of Y,
# coordinator of X, coordinator of Y, office, director). 302 for anonymous is "log in first";
# 404 is "not yours" (it looks exactly like "not found"). A method every role gets 405 for is
# left out. Review every change of this table like a change of the code.
MATRIX_TEXT = """
# url name                                    ano g_a g_b adu i_x i_y c_x c_y off dir
accounts:login                           GET  200 302 302 302 302 302 302 302 302 302
accounts:login                           POST 200 302 302 302 302 302 302 302 302 302
accounts:logout                          POST 302 302 302 302 302 302 302 302 302 302
accounts:password_change                 GET  302 200 200 200 200 200 200 200 200 200
accounts:password_change                 POST 302 200 200 200 200 200 200 200 200 200
accounts:password_change_done            GET  302 200 200 200 200 200 200 200 200 200
accounts:password_reset                  GET  200 200 200 200 200 200 200 200 200 200
accounts:password_reset                  POST 200 200 200 200 200 200 200 200 200 200
accounts:password_reset_complete         GET  200 200 200 200 200 200 200 200 200 200
accounts:password_reset_confirm          GET  200 200 200 200 200 200 200 200 200 200
accounts:password_reset_confirm          POST 200 200 200 200 200 200 200 200 200 200
accounts:password_reset_done             GET  200 200 200 200 200 200 200 200 200 200
accounts:privacy                         GET  200 200 200 200 200 200 200 200 200 200
accounts:profile                         GET  302 200 200 200 200 200 200 200 200 200
accounts:profile                         POST 302 200 200 200 200 200 200 200 200 200
accounts:signup                          GET  200 302 302 302 302 302 302 302 302 302
accounts:signup                          POST 200 302 302 302 302 302 302 302 302 302
accounts:signup-sent                     GET  200 200 200 200 200 200 200 200 200 200
accounts:two-factor                      GET  302 404 404 404 200 200 200 200 200 200
accounts:two-factor-backup-codes         POST 302 404 404 404 302 302 302 302 302 302
accounts:two-factor-setup                GET  302 404 404 404 200 200 200 200 200 200
accounts:two-factor-setup                POST 302 404 404 404 200 200 200 200 200 200
accounts:two-factor-verify               GET  302 404 404 404 302 302 302 302 302 302
accounts:two-factor-verify               POST 302 404 404 404 302 302 302 302 302 302
accounts:verify                          GET  200 200 200 200 200 200 200 200 200 200
accounts:verify-password                 GET  200 200 200 200 200 200 200 200 200 200
accounts:verify-password                 POST 200 200 200 200 200 200 200 200 200 200
accounts:verify-resend                   GET  200 200 200 200 200 200 200 200 200 200
accounts:verify-resend                   POST 200 200 200 200 200 200 200 200 200 200
accounts:verify-resend-sent              GET  200 200 200 200 200 200 200 200 200 200
allocation:application-change            GET  302 200 404 404 404 404 404 404 404 404
allocation:application-change            POST 302 200 404 404 404 404 404 404 404 404
allocation:application-create            GET  302 200 200 200 200 200 200 200 200 200
allocation:application-create            POST 302 200 200 200 200 200 200 200 200 200
allocation:application-list              GET  302 200 200 200 200 200 200 200 200 200
allocation:application-withdraw          POST 302 302 404 404 404 404 404 404 404 404
allocation:run-decisions                 GET  302 404 404 404 404 404 200 404 200 200
allocation:run-detail                    GET  302 404 404 404 404 404 200 404 200 200
allocation:run-list                      GET  302 404 404 404 404 404 200 200 200 200
allocation:run-publish                   POST 302 404 404 404 404 404 200 404 200 200
allocation:run-start                     POST 302 404 404 404 404 404 302 404 302 302
attendance:absence-report                POST 302 302 404 404 404 404 404 404 404 404
attendance:absence-withdraw              POST 302 302 404 404 404 404 404 404 404 404
attendance:all-present                   POST 302 404 404 404 302 404 302 404 404 302
attendance:family                        GET  302 200 404 404 404 404 404 404 404 404
attendance:group-sheet                   GET  302 404 404 404 200 404 200 404 200 200
attendance:group-sheet-pdf               GET  302 404 404 404 200 404 200 404 200 200
attendance:group-sheet-xlsx              GET  302 404 404 404 200 404 200 404 200 200
attendance:group-stats                   GET  302 404 404 404 200 404 200 404 200 200
attendance:mark                          POST 302 404 404 404 302 404 302 404 404 302
attendance:meeting-cancel                GET  302 404 404 404 200 404 200 404 404 200
attendance:meeting-cancel                POST 302 404 404 404 200 404 200 404 404 200
attendance:meeting-move                  GET  302 404 404 404 200 404 200 404 404 200
attendance:meeting-move                  POST 302 404 404 404 200 404 200 404 404 200
attendance:note                          POST 302 404 404 404 302 404 302 404 404 302
attendance:register                      GET  302 404 404 404 200 404 200 404 404 200
attendance:today                         GET  302 404 404 404 200 200 200 200 404 200
audit:history                            GET  302 404 404 404 404 404 200 200 200 200
billing:activity-totals                  GET  302 404 404 404 404 404 200 200 200 200
billing:credit-note-create               POST 302 404 404 404 404 404 404 404 200 200
billing:desk-payment                     POST 302 404 404 404 404 404 404 404 200 200
billing:discount-grant-create            POST 302 404 404 404 404 404 404 404 200 200
billing:discount-grant-revoke            POST 302 404 404 404 404 404 404 404 404 404
billing:export-charges                   GET  302 404 404 404 404 404 404 404 400 400
billing:export-payments                  GET  302 404 404 404 404 404 404 404 400 400
billing:export-receivables               GET  302 404 404 404 404 404 404 404 400 400
billing:exports                          GET  302 404 404 404 404 404 404 404 200 200
billing:household-ledger                 GET  302 404 404 404 404 404 404 404 200 200
billing:households                       GET  302 404 404 404 404 404 404 404 200 200
billing:my-fees                          GET  302 200 200 200 200 200 200 200 200 200
billing:online-return                    GET  302 200 404 404 404 404 404 404 200 200
billing:online-simulator                 GET  302 200 404 404 404 404 404 404 200 200
billing:online-simulator-pay             POST 302 302 404 404 404 404 404 404 302 302
billing:online-start                     POST 302 302 404 404 404 404 404 404 302 302
billing:online-webhook                   POST 400 400 400 400 400 400 400 400 400 400
billing:payment-confirmation-pdf         GET  302 200 404 404 404 404 404 404 200 200
billing:payment-request                  GET  302 200 404 404 404 404 404 404 200 200
billing:payment-request-pdf              GET  302 200 404 404 404 404 404 404 200 200
billing:run-create                       POST 302 404 404 404 404 404 404 404 400 400
billing:runs                             GET  302 404 404 404 404 404 404 404 200 200
billing:statement-detail                 GET  302 404 404 404 404 404 404 404 200 200
billing:statement-import                 GET  302 404 404 404 404 404 404 404 200 200
billing:statement-import                 POST 302 404 404 404 404 404 404 404 400 400
billing:statement-line                   GET  302 404 404 404 404 404 404 404 200 200
billing:statement-line-assign            POST 302 404 404 404 404 404 404 404 400 400
billing:statement-line-ignore            POST 302 404 404 404 404 404 404 404 400 400
billing:statement-list                   GET  302 404 404 404 404 404 404 404 200 200
billing:statement-queue                  GET  302 404 404 404 404 404 404 404 200 200
clubs:activity-detail                    GET  200 200 200 200 200 200 200 200 200 200
clubs:api-group-detail                   GET  200 200 200 200 200 200 200 200 200 200
clubs:api-group-list                     GET  200 200 200 200 200 200 200 200 200 200
clubs:catalogue                          GET  200 200 200 200 200 200 200 200 200 200
clubs:group-calendar                     GET  200 200 200 200 200 200 200 200 200 200
clubs:group-detail                       GET  200 200 200 200 200 200 200 200 200 200
enrollment:calendar-rotate               POST 302 302 302 302 404 404 404 404 404 404
enrollment:consents-update               POST 302 302 404 404 404 404 404 404 404 404
enrollment:enroll                        GET  302 200 200 200 302 302 302 302 302 302
enrollment:enroll                        POST 302 200 200 200 302 302 302 302 302 302
enrollment:enrollment-withdraw           GET  302 200 404 404 404 404 404 404 404 404
enrollment:enrollment-withdraw           POST 302 200 404 404 404 404 404 404 404 404
enrollment:guardian-invite               GET  302 200 200 200 404 404 404 404 404 404
enrollment:guardian-invite               POST 302 200 200 200 404 404 404 404 404 404
enrollment:home                          GET  302 200 200 200 302 302 302 302 302 302
enrollment:household-calendar            GET  200 200 200 200 200 200 200 200 200 200
enrollment:household-create              GET  302 302 302 302 200 200 200 200 200 200
enrollment:household-create              POST 302 302 302 302 200 200 200 200 200 200
enrollment:invitation-accept             GET  302 404 404 404 404 404 404 404 404 404
enrollment:invitation-accept             POST 302 404 404 404 404 404 404 404 404 404
enrollment:offer-respond                 POST 302 302 404 404 404 404 404 404 404 404
enrollment:participant-create            GET  302 200 200 200 302 302 302 302 302 302
enrollment:participant-create            POST 302 200 200 200 302 302 302 302 302 302
enrollment:participant-detail            GET  302 200 404 404 404 404 404 404 404 404
enrollment:participant-detail            POST 302 200 404 404 404 404 404 404 404 404
enrollment:trial-book                    GET  302 404 404 404 404 404 404 404 404 404
enrollment:trial-book                    POST 302 404 404 404 404 404 404 404 404 404
makeups:book                             POST 302 302 404 404 404 404 404 404 404 404
makeups:cancel                           POST 302 404 404 404 404 404 404 404 404 404
makeups:family                           GET  302 200 404 404 404 404 404 404 404 404
notifications:broadcast-create           GET  302 404 404 404 200 200 200 200 404 200
notifications:broadcast-create           POST 302 404 404 404 200 200 200 200 404 200
notifications:broadcast-detail           GET  302 404 404 404 404 404 200 404 404 200
notifications:broadcast-detail           POST 302 404 404 404 404 404 405 404 404 405
notifications:broadcast-list             GET  302 404 404 404 200 200 200 200 404 200
notifications:broadcast-list             POST 302 404 404 404 405 405 405 405 404 405
notifications:broadcast-send             GET  302 404 404 404 404 404 405 404 404 404
notifications:broadcast-send             POST 302 404 404 404 404 404 302 404 404 404
notifications:log                        GET  302 404 404 404 404 404 200 200 200 200
notifications:log                        POST 302 404 404 404 404 404 405 405 405 405
notifications:log-detail                 GET  302 404 404 404 404 404 200 200 200 200
notifications:log-detail                 POST 302 404 404 404 404 404 405 405 405 405
notifications:log-retry                  GET  302 404 404 404 404 404 405 405 405 405
notifications:log-retry                  POST 302 404 404 404 404 404 302 302 302 302
notifications:preferences                GET  302 200 200 200 200 200 200 200 200 200
notifications:preferences                POST 302 302 302 302 302 302 302 302 302 302
notifications:unsubscribe                GET  200 200 200 200 200 200 200 200 200 200
notifications:unsubscribe                POST 400 400 400 400 400 400 400 400 400 400
privacy:erasure-ask                      POST 302 302 404 404 404 404 404 404 404 404
privacy:export-json                      GET  302 200 404 404 404 404 404 404 404 404
privacy:export-page                      GET  302 200 404 404 404 404 404 404 404 404
privacy:home                             GET  302 200 200 200 200 200 200 200 200 200
privacy:request-detail                   GET  302 404 404 404 404 404 404 404 200 200
privacy:request-detail                   POST 302 404 404 404 404 404 404 404 302 302
privacy:requests                         GET  302 404 404 404 404 404 404 404 200 200
reports:annual                           GET  302 404 404 404 404 404 200 200 200 200
reports:annual-pdf                       GET  302 404 404 404 404 404 200 200 200 200
reports:annual-people                    GET  302 404 404 404 404 404 404 404 404 404
reports:annual-xlsx                      GET  302 404 404 404 404 404 200 200 200 200
reports:city                             GET  302 404 404 404 404 404 200 200 200 200
reports:city-xlsx                        GET  302 404 404 404 404 404 200 200 200 200
reports:dashboard                        GET  302 404 404 404 404 404 200 200 200 200
reports:rollover                         GET  302 404 404 404 404 404 404 404 404 200
reports:rollover-confirm                 POST 302 404 404 404 404 404 404 404 404 400
reports:settings                         GET  302 404 404 404 404 404 404 404 404 200
reports:settings                         POST 302 404 404 404 404 404 404 404 404 400
roster:approve                           POST 302 404 404 404 404 404 302 404 302 302
roster:enrollment-detail                 GET  302 404 404 404 404 404 200 404 200 200
roster:export-csv                        GET  302 404 404 404 404 404 200 404 200 200
roster:export-xlsx                       GET  302 404 404 404 404 404 200 404 200 200
roster:group-detail                      GET  302 404 404 404 404 404 200 404 200 200
roster:group-list                        GET  302 404 404 404 404 404 200 200 200 200
roster:move                              POST 302 404 404 404 404 404 200 404 200 200
roster:promote                           POST 302 404 404 404 404 404 200 404 200 200
roster:reject                            POST 302 404 404 404 404 404 200 404 200 200
roster:reorder                           POST 302 404 404 404 404 404 200 404 200 200
"""


def _parse(text: str) -> dict[tuple[str, str], dict[str, int]]:
    table = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, method, *codes = line.split()
        assert len(codes) == len(ROLES), line
        table[(name, method)] = dict(zip(ROLES, map(int, codes), strict=True))
    return table


MATRIX: dict[tuple[str, str], dict[str, int]] = _parse(MATRIX_TEXT)

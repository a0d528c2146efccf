"""Block Kit ids shared by the views in bot/render and the listeners in handlers/.

A button's `value` is always the id of the thing it acts on (an action or a date change).
"""

# Buttons on reminder DMs, `/progress mine` and App Home (value: action id)
UPDATE_ACTION = "update_action"
COMPLETE_ACTION = "complete_action"
ASK_NEW_DATE = "ask_new_date"

# Buttons on date-change requests (value: date change request id)
APPROVE_DATE_CHANGE = "date_change_approve"
DECLINE_DATE_CHANGE = "date_change_decline"

# Modals (callback_id); their private_metadata carries the action / plan id
UPDATE_MODAL = "progress_update_modal"
DATE_CHANGE_MODAL = "date_change_modal"
IMPORT_MODAL = "plan_import_modal"

# Metadata event type on every message the bot posts from its outbox, so a message that
# reached Slack can be found again after a crash and is never posted twice.
NOTIFICATION_EVENT = "improvement_bot_notification"

# "Record anyway" under an update the personal-data check held (value: the held update's id)
RECORD_ANYWAY = "privacy_record_anyway"
# …and under an answer to a challenge held the same way (value: the held answer's id)
RECORD_ANSWER_ANYWAY = "privacy_record_answer_anyway"

# "Challenge" beside an action in `/board theme`, `overdue`, `history` and the pack preview,
# for the chair and members (value: action id); it opens the question form (callback_id).
CHALLENGE_ACTION = "challenge_action"
CHALLENGE_MODAL = "challenge_modal"

# "Show all" beside an action's measures, trimmed on a reminder or the update form (value:
# action id): in the form it opens a view of them over it, on a reminder it answers ephemerally
SHOW_MEASURES = "show_measures"

# The Home tab's "I'm away" (opens the absence form, callback_id AWAY_MODAL; value 0) and
# "Cancel absence" (value: the absence's id) buttons
AWAY_BUTTON = "away_open_form"
AWAY_MODAL = "away_modal"
CANCEL_ABSENCE = "away_cancel"
# "Close" and "Follow up" under an answered challenge in the pack, for the chair (value:
# challenge id): Close closes it at once; Follow up opens a form for the follow-up question.
CLOSE_CHALLENGE = "challenge_close"
FOLLOW_UP_CHALLENGE = "challenge_follow_up"
FOLLOW_UP_MODAL = "challenge_follow_up_modal"

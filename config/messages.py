"""Django's own messages that read badly in its Vietnamese catalogue, worded again in ours.

The catalogues of LOCALE_PATHS come before Django's, so these msgids, listed here for makemessages to
find, are translated by locale/vi. Nothing imports this module.
"""

from django.utils.translation import gettext_noop

REWORDED = [
    gettext_noop("Enter a whole number."),  # Django's Vietnamese: "Nhập một số tổng thể."
    gettext_noop("Enter a number."),
    gettext_noop("Enter a valid date."),  # says which form a date takes
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s."),  # a space before the stop
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
]

"""What members tells the apps above it (which it never imports).

`merge_check`: sent by `members.merging` before two records are merged, inside its
transaction, with survivor=Member, merged=Member. A receiver returns a list of reasons (in
French) that forbid the merge, or an empty list.
"""

from django.dispatch import Signal

merge_check = Signal()

# Personal data (members.personal_data, members.closure, members.retention): the apps above
# hold part of a member's data (pledges, payments, receipts) and answer for it.
#
# `personal_data`: sent with member=Member while its download is built. A receiver returns a
# `members.personal_data.Part` (sections of the JSON, files for the ZIP, the rows whose audit
# entries belong to the member's history).
personal_data = Signal()
# `member_erasing`: sent with member=Member, actor, inside the transaction that erases its
# contact data (closure or retention). A receiver erases what it holds that is no longer
# needed and returns a dict {what: count}; what the law makes the collective keep stays.
member_erasing = Signal()
# `retention_due`: sent with today=date, dry_run=bool, actor, by the retention run. A receiver
# blanks the personal fields of the rows past their legal period (nothing when dry_run) and
# returns a dict {what: count} of what it did (or would do).
retention_due = Signal()

"""`{% remembered "name" %}...{% endremembered %}`: the block drawn once per process, language,
day and generation of the published texts (`cac_portal.published`), then served from memory
until an administrator edits the collective, the charter, the privacy notice or a scale.

Only for markup that is the same for every visitor: no CSRF token, no personal value, no
one-time key inside (they stay outside the block)."""

from django import template
from django.utils import translation
from django.utils.safestring import mark_safe

from cac_portal import published

register = template.Library()


class RememberedNode(template.Node):
    def __init__(self, name, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context):
        name = f"fragment.{self.name.resolve(context)}.{translation.get_language()}"
        return mark_safe(published.remember(name, lambda: self.nodelist.render(context)))


@register.tag
def remembered(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% remembered %} takes one name.")
    nodelist = parser.parse(("endremembered",))
    parser.delete_first_token()
    return RememberedNode(parser.compile_filter(bits[1]), nodelist)

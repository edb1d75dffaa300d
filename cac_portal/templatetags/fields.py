"""One form field with its label, help and errors, drawn in Python: `{% field form.email %}`
(the public pages' markup) and `{% desk_field form.amount %}` (the staff's pages' markup).

They replace `{% include "members/_field.html" %}` and `{% include "dues/desk/_field.html" %}`,
which a form of fifty fields paid fifty template renderings for. `hide_errors=True` draws a
form again without its errors (after "add a row"); by default the tags take `hide_errors` from
the page's context, as the included templates did. The widgets themselves are Django's.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


def _hidden(context, hide_errors):
    return bool(context.get("hide_errors") if hide_errors is None else hide_errors)


def _help(field):
    if not field.help_text:
        return ""
    return format_html(
        '<span class="helptext" id="{}_helptext">{}</span>', field.auto_id, field.help_text
    )


def _required(field):
    return mark_safe(' class="required"') if field.field.required else ""


def _radio_choices(field):
    return format_html_join(
        "\n",
        '<div class="choice">{} <label for="{}" class="choice">{}</label></div>',
        ((radio.tag(), radio.id_for_label, radio.choice_label) for radio in field),
    )


@register.simple_tag(takes_context=True)
def field(context, bound, hide_errors=None):
    """The markup of `members/_field.html`, which it replaces."""
    errors = "" if _hidden(context, hide_errors) or not bound.errors else str(bound.errors)
    error_class = " has-error" if errors else ""
    input_type = getattr(bound.field.widget, "input_type", None)
    if input_type == "radio":
        return format_html(
            '<fieldset class="field radio{}" id="{}_group">\n  <legend{}>{}</legend>\n  {}{}\n'
            "{}\n</fieldset>",
            error_class,
            bound.auto_id,
            _required(bound),
            bound.label,
            _help(bound),
            mark_safe(errors),
            _radio_choices(bound),
        )
    if input_type == "checkbox":
        return format_html(
            '<div class="field choice{}">\n  {}\n  {} <label for="{}" class="choice">{}</label>'
            "\n  {}\n</div>",
            error_class,
            mark_safe(errors),
            bound,
            bound.id_for_label,
            bound.label,
            _help(bound),
        )
    return format_html(
        '<div class="field{}">\n  <label for="{}"{}>{}</label>\n  {}\n  {}\n  {}\n</div>',
        error_class,
        bound.id_for_label,
        _required(bound),
        bound.label,
        bound,
        _help(bound),
        mark_safe(errors),
    )


def _desk_errors(bound):
    return format_html(
        '<ul class="errorlist" id="{}_errors">{}</ul>',
        bound.auto_id,
        format_html_join("", "<li>{}</li>", ((error,) for error in bound.errors)),
    )


def _desk_inside(bound, errors, input_type):
    if input_type == "checkbox":
        return format_html(
            '{}\n    {} <label for="{}" class="choice">{}</label>',
            errors,
            bound,
            bound.id_for_label,
            bound.label,
        )
    if input_type == "radio":
        choices = format_html_join(
            "",
            '<div>{} <label for="{}" class="choice">{}</label></div>',
            ((choice.tag(), choice.id_for_label, choice.choice_label) for choice in bound),
        )
        return format_html(
            "<fieldset><legend>{}</legend>\n    {}\n    {}\n    </fieldset>",
            bound.label,
            errors,
            choices,
        )
    return format_html("{}\n    {}\n    {}", bound.label_tag(), errors, bound)


@register.simple_tag(takes_context=True)
def desk_field(context, bound, hide_errors=None, field_attrs=""):
    """The markup of `dues/desk/_field.html`, which it replaces."""
    show = bool(bound.errors) and not _hidden(context, hide_errors)
    errors = _desk_errors(bound) if show else ""
    input_type = getattr(bound.field.widget, "input_type", None)
    classes = "field" + (" choice" if input_type == "checkbox" else "")
    classes += " has-error" if show else ""
    attrs = format_html(" {}", field_attrs) if field_attrs else ""
    return format_html(
        '<div class="{}"{}>\n  {}\n  {}\n</div>',
        classes,
        attrs,
        _desk_inside(bound, errors, input_type),
        _help(bound),
    )

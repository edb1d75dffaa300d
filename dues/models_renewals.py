"""Renewal campaigns and the reminders they send.

A campaign per dues year says when it opens and on which days after that a reminder goes out
(its steps). Each reminder sent is a row, unique per member, campaign and step, written in the
transaction that decides to send it: whatever crashes or runs twice, a step is decided once,
and its email keeps its delivery state (queued, sent, deferred, failed) like a receipt's.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 12, "decimal_places": 2}
DEFAULT_STEPS = [0, 30, 60]
# A campaign's steps stay within its year and a bit: nobody is reminded a year later.
MAX_STEP_OFFSET = 365
MAX_STEPS = 6


def default_steps():
    return list(DEFAULT_STEPS)


def validate_steps(value):
    """Day offsets from the opening: whole numbers, 0 to 365, increasing, at most six."""
    if not isinstance(value, list) or not value or len(value) > MAX_STEPS:
        raise ValidationError(_("Indiquez d'une à six relances."), code="steps")
    if not all(isinstance(day, int) and 0 <= day <= MAX_STEP_OFFSET for day in value):
        raise ValidationError(
            _("Chaque relance est un nombre de jours entre 0 et 365."), code="steps"
        )
    if sorted(set(value)) != value:
        raise ValidationError(
            _("Les relances doivent être dans l'ordre, sans doublon."), code="steps"
        )


class RenewalCampaign(models.Model):
    """The renewal campaign of one dues year: its opening day and its reminders' schedule."""

    year = models.PositiveSmallIntegerField(_("année"), unique=True)
    opens_on = models.DateField(_("ouverture de la campagne"))
    steps = models.JSONField(
        _("relances (jours après l'ouverture)"),
        default=default_steps,
        validators=[validate_steps],
    )
    paused = models.BooleanField(_("relances suspendues"), default=False)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("campagne de renouvellement")
        verbose_name_plural = _("campagnes de renouvellement")
        ordering = ["-year"]
        permissions = [("manage_renewals", _("Peut gérer les campagnes de renouvellement"))]

    def __str__(self):
        return str(self.year)

    def step_dates(self):
        """[(step number from 1, its day)] in order."""
        return [
            (number, self.opens_on + datetime.timedelta(days=offset))
            for number, offset in enumerate(self.steps, start=1)
        ]

    def due_step(self, today):
        """The latest step whose day has come (missed ones are not sent: the latest only), or
        None before the opening or once the campaign's year is over."""
        if today.year > self.year:
            return None
        due = [number for number, day in self.step_dates() if day <= today]
        return due[-1] if due else None

    def is_open(self, today):
        return self.opens_on <= today and today.year <= self.year


class ReminderEmail(models.TextChoices):
    """Where a reminder's email stands (as a receipt's). Only queued and deferred are sent."""

    QUEUED = "queued", _("à envoyer")
    SENT = "sent", _("envoyé")
    DEFERRED = "deferred", _("échec temporaire, nouvel essai prévu")
    FAILED = "failed", _("échec définitif")


class Reminder(models.Model):
    """One step of a campaign decided for one member: at most one, ever."""

    campaign = models.ForeignKey(
        RenewalCampaign, on_delete=models.PROTECT, related_name="reminders"
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="renewal_reminders"
    )
    step = models.PositiveSmallIntegerField(_("relance n°"))
    decided_at = models.DateTimeField(_("décidée le"), default=timezone.now)
    # Copied when decided: who it goes to and what it suggests, as sent.
    recipients = models.JSONField(_("destinataires"), default=list)
    language = models.CharField(_("langue"), max_length=5, default="fr")
    amount = models.DecimalField(_("montant suggéré (€)"), **MONEY)
    email_status = models.CharField(
        _("envoi"), max_length=10, choices=ReminderEmail.choices, default=ReminderEmail.QUEUED
    )
    emailed_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("tentatives d'envoi"), default=0)
    email_attempted_at = models.DateTimeField(_("dernière tentative"), null=True, blank=True)
    email_error = models.TextField(_("dernière erreur d'envoi"), blank=True)

    class Meta:
        verbose_name = _("relance de renouvellement")
        verbose_name_plural = _("relances de renouvellement")
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "campaign", "step"], name="reminder_once_per_member_and_step"
            ),
            models.CheckConstraint(
                condition=Q(email_status__in=ReminderEmail.values),
                name="reminder_email_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(email_status=ReminderEmail.SENT, emailed_at__isnull=False)
                | (~Q(email_status=ReminderEmail.SENT) & Q(emailed_at__isnull=True)),
                name="reminder_sent_has_date",
            ),
            models.CheckConstraint(condition=Q(step__gte=1), name="reminder_step_from_one"),
        ]
        indexes = [models.Index(fields=["email_status"], name="reminder_email_status_idx")]

    def __str__(self):
        return f"{self.member} {self.campaign.year} #{self.step}"

"""Django's makemessages, also finding plural texts marked with ``abe.texts.ngettext_noop`` (stored as keys and
translated when read, like ``gettext_noop``)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=ngettext_noop:1,2"]

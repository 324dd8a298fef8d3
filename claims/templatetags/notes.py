"""{{ note|note_html }}: a note's plain text as safe HTML (claims.mentions.note_html), its
mentions (prefetched by the timeline) highlighted."""

from django import template

from claims.mentions import note_html as render_note

register = template.Library()


@register.filter
def note_html(note):
    return render_note(note.text, {user.username.lower() for user in note.mentions.all()})

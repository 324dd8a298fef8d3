from rest_framework import serializers

from claimtrack.api.fields import iso
from sources.models import Document, Source


class SourceSerializer(serializers.ModelSerializer):
    homepage = serializers.CharField(allow_blank=True, help_text="The source's home page URL, or empty.")

    class Meta:
        model = Source
        fields = ["id", "kind", "name", "homepage", "country", "language"]


class SourceRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Source.Kind.choices)

    def to_representation(self, source):
        return {"id": source.pk, "name": source.name, "kind": source.kind}


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source = serializers.IntegerField(help_text="The id of the source that published it.")
    url = serializers.URLField()
    canonical_url = serializers.URLField()
    title = serializers.CharField(allow_blank=True)
    kind = serializers.ChoiceField(choices=Document.Kind.choices)
    language = serializers.CharField(allow_blank=True)
    published_at = serializers.DateTimeField(allow_null=True)
    first_seen_at = serializers.DateTimeField()

    def to_representation(self, document):
        return {
            "id": document.pk,
            "source": document.source_id,
            "url": document.url,
            "canonical_url": document.canonical_url,
            "title": document.title,
            "kind": document.kind,
            "language": document.language,
            "published_at": iso(document.published_at),
            "first_seen_at": iso(document.first_seen_at),
        }

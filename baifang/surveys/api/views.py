"""Survey API: templates, campaigns (their recipients, distribution, statistics) and responses (R-SURV-1..4).

Every queryset is scoped (R-SEC-1): campaigns by ``services.visible_campaigns``, recipients and
responses by the customers the caller may read (``access.survey_customers``). Writes go through
``baifang.surveys.services``; its refusals become 400/403 through the one error handler.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from baifang.surveys import services
from baifang.surveys.access import may_run_campaigns, survey_customers
from baifang.surveys.api.serializers import (
    AddedSerializer,
    CancelSerializer,
    CountSerializer,
    DistributeSerializer,
    RecipientSerializer,
    ResponseCreateSerializer,
    StatisticsSerializer,
    SurveyCampaignSerializer,
    SurveyResponseSerializer,
    SurveyTemplateSerializer,
    TargetSerializer,
)
from baifang.surveys.filtersets import (
    CampaignFilterSet,
    RecipientFilterSet,
    ResponseFilterSet,
    SurveyTemplateFilterSet,
)
from baifang.surveys.models import Answer, SurveyCampaign, SurveyResponse, SurveyTemplate


def _params(serializer_class, request) -> dict:
    params = serializer_class(data=request.data)
    params.is_valid(raise_exception=True)
    return params.validated_data


class SurveyTemplateViewSet(viewsets.ReadOnlyModelViewSet):
    """Survey templates with their ordered items and scale (R-SURV-1); edited in the administration."""

    queryset = SurveyTemplate.objects.prefetch_related("items").order_by("purpose", "name", "pk")
    serializer_class = SurveyTemplateSerializer
    filterset_class = SurveyTemplateFilterSet


def definitions() -> list[str]:
    return [
        _("Returned: the number of questionnaires that came back."),
        _(
            "Satisfaction rate of an item = satisfied answers ÷ answered answers for that item; blank answers are not counted."
        ),
        _("Overall satisfaction rate = all satisfied answers ÷ all answered answers, over every item."),
    ]


@extend_schema_view(
    list=extend_schema(summary="Campaigns the caller may see"),
    create=extend_schema(summary="A new campaign (draft) owned by the caller (R-SURV-2)"),
)
class SurveyCampaignViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = SurveyCampaign.objects.all()
    serializer_class = SurveyCampaignSerializer
    filterset_class = CampaignFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            services.visible_campaigns(self.request.user)
            .select_related("owner", "template")
            .annotate(
                targets=Count("recipients", distinct=True),
                returned=Count("recipients__response", distinct=True),
            )
            .order_by("-starts_on", "-pk")
        )

    def perform_create(self, serializer):
        if not may_run_campaigns(self.request.user):
            raise PermissionDenied(_("You cannot start survey campaigns."))
        serializer.save(owner=self.request.user)

    def perform_update(self, serializer):
        if not serializer.instance.may_edit(self.request.user):
            raise PermissionDenied(_("Only the campaign's owner or survey staff can do this."))
        serializer.save()

    def _locked(self) -> SurveyCampaign:
        campaign = self.get_object()
        return SurveyCampaign.objects.select_for_update().get(pk=campaign.pk)

    def _fresh(self, pk) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    def _move(self, name: str, **kwargs) -> Response:
        with transaction.atomic():
            campaign = self._locked()
            getattr(campaign, name)(by=self.request.user, **kwargs)
        return self._fresh(campaign.pk)

    @extend_schema(summary="Start: the links open, answers are taken (draft → running)", request=None)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._move("start")

    @extend_schema(summary="Close: no more answers (running → closed)", request=None)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._move("close")

    @extend_schema(summary="Reopen a closed campaign before its end date", request=None)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._move("reopen")

    @extend_schema(summary="Publish the results to the respondents (closed → published)", request=None)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._move("publish")

    @extend_schema(summary="Cancel a draft or running campaign, with a reason", request=CancelSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = _params(CancelSerializer, request)
        return self._move("cancel", reason=data["reason"])

    @extend_schema(
        summary="Recipients of the campaign the caller may see",
        responses=RecipientSerializer(many=True),
        parameters=[
            OpenApiParameter("state", str, enum=["undistributed", "outstanding", "returned"]),
            OpenApiParameter("q", str, description="Part of the customer's name"),
        ],
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def recipients(self, request, pk=None):
        campaign = self.get_object()
        rows = campaign.recipients.filter(
            customer__in=survey_customers(request.user).values("pk")
        ).select_related("customer", "response")
        rows = RecipientFilterSet(request.query_params, queryset=rows)
        if not rows.is_valid():  # as DjangoFilterBackend does: the form's codes (invalid_choice) are kept
            raise translate_validation(rows.errors)
        page = self.paginate_queryset(rows.qs.order_by("customer__name", "pk"))
        return self.get_paginated_response(RecipientSerializer(page, many=True).data)

    @extend_schema(
        summary="Add recipients by ids or by a target rule (R-SURV-2)",
        request=TargetSerializer,
        responses=AddedSerializer,
    )
    @action(detail=True, methods=["post"], url_path="add-recipients")
    def add_recipients(self, request, pk=None):
        campaign = self.get_object()
        data = _params(TargetSerializer, request)
        ids = data.pop("customers", None)
        if ids is not None:
            customers = survey_customers(request.user).filter(pk__in=ids)
            added = services.add_recipients(campaign, customers, by=request.user)
        else:
            added = services.add_recipients(
                campaign, services.target_customers(data, request.user), by=request.user, rule=data
            )
        return Response({"added": added})

    @extend_schema(
        summary="Record questionnaires as handed out on paper or their links sent",
        request=DistributeSerializer,
        responses=CountSerializer,
    )
    @action(detail=True, methods=["post"])
    def distribute(self, request, pk=None):
        campaign = self.get_object()
        data = _params(DistributeSerializer, request)
        count = services.record_distribution(campaign, data["recipients"], data["channel"], by=request.user)
        return Response({"count": count})

    @extend_schema(
        summary="Remind the owner and distributors about questionnaires not returned",
        request=None,
        responses=CountSerializer,
    )
    @action(detail=True, methods=["post"])
    def remind(self, request, pk=None):
        campaign = self.get_object()
        return Response({"count": services.remind_non_respondents(campaign, by=request.user)})

    @extend_schema(
        summary="Distribution, return and satisfaction rates with their definitions (R-SURV-2, R-SURV-3)",
        responses=StatisticsSerializer,
    )
    @action(detail=True, methods=["get"])
    def statistics(self, request, pk=None):
        campaign = self.get_object()
        progress = services.progress(campaign, request.user)
        summary = services.campaign_summary(campaign, request.user)

        def rate(r):
            return {"satisfied": r.satisfied, "answered": r.answered, "rate": r.rate, "percent": r.percent}

        body = {
            "targets": progress.targets,
            "distributed": progress.distributed,
            "returned": summary.returned,
            "distribution_rate": progress.distribution_rate,
            "return_rate": progress.return_rate,
            "overall": rate(summary.overall),
            "items": [
                {"code": item.code, "label": item.label, **rate(summary.items[item.code])}
                for item in campaign.template.items.all()
            ],
            "definitions": definitions(),
        }
        return Response(StatisticsSerializer(body).data)


@extend_schema_view(
    list=extend_schema(summary="Returned questionnaires and checks of customers the caller may see"),
    create=extend_schema(
        summary="Enter a returned questionnaire, or a check after a visit, repair or complaint (R-SURV-2, R-SURV-4)",
        request=ResponseCreateSerializer,
        responses={201: SurveyResponseSerializer},
    ),
)
class SurveyResponseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    queryset = SurveyResponse.objects.all()
    serializer_class = SurveyResponseSerializer
    filterset_class = ResponseFilterSet

    def get_queryset(self):
        return (
            SurveyResponse.objects.filter(customer__in=survey_customers(self.request.user).values("pk"))
            .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("item")))
            .order_by("-answered_on", "-pk")
        )

    def create(self, request, *args, **kwargs):
        data = _params(ResponseCreateSerializer, request)
        visible = survey_customers(request.user)
        common = {
            "opinion": data["opinion"],
            "respondent": data["respondent"],
            "source": data["source"],
            "answered_on": data.get("answered_on"),
            "by": request.user,
        }
        if "recipient" in data:
            from baifang.surveys.models import Recipient

            recipient = get_object_or_404(
                Recipient.objects.filter(
                    customer__in=visible.values("pk"), campaign__in=services.visible_campaigns(request.user)
                ),
                pk=data["recipient"],
            )
            response = services.submit_response(recipient, data["answers"], **common)
        else:
            customer = get_object_or_404(visible, pk=data["customer"])
            template = get_object_or_404(SurveyTemplate, pk=data["template"])
            touch = None
            if "touch" in data:
                from baifang.visits.models import Touch

                touch = get_object_or_404(Touch.objects.filter(customer=customer), pk=data["touch"])
            response = services.record_check(customer, template, data["answers"], touch=touch, **common)
        fresh = self.get_queryset().get(pk=response.pk)
        return Response(SurveyResponseSerializer(fresh).data, status=status.HTTP_201_CREATED)

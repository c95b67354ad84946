"""The emulator's replies: a small, deterministic bilingual tutor for the tutorial's steps.

Replies are clearly marked as the offline demo. A question about one of the tutorial's topics
gets a short explanation; anything else is answered with what the emulator received, which is
what a learner needs to see their request arrived intact.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aoai_lab.tokens import message_text

_HANGUL = re.compile(r"[\uac00-\ud7a3]")


@dataclass(frozen=True)
class Topic:
    """Keywords (lower case) and the answer in both languages."""

    keywords: tuple[str, ...]
    ko: str
    en: str


TOPICS: tuple[Topic, ...] = (
    # The two key topics come first: a question about a leaked key or KEY 1 vs KEY 2 also says
    # "key", which the general key topic below would answer. Sources: Microsoft Learn, "Rotate
    # keys in Azure AI services" (https://learn.microsoft.com/azure/ai-services/rotate-keys,
    # MicrosoftDocs/azure-docs articles/ai-services/rotate-keys.md): two keys exist "to enable
    # secret rotation ... if a key gets leaked"; a regenerated key's old value "stops working
    # immediately" (401); rotate by moving to key 1, regenerating key 2, then the other way.
    Topic(
        (
            "leak",
            "leaked",
            "leaks",
            "exposed",
            "compromised",
            "stolen",
            "regenerate",
            "rotate",
            "rotation",
            "유출",
            "노출",
            "털렸",
            "도난",
            "재생성",
            "다시 생성",
            "교체",
            "로테이션",
        ),
        "키가 유출되었다면(GitHub에 올렸거나, 채팅·화면 공유로 보였다면) 바로 다시 만드세요: Azure Portal → 리소스 → "
        "[리소스 관리] → [키 및 엔드포인트] → 유출된 키의 [키 1 다시 생성](또는 키 2). 다시 만드는 즉시 옛 값은 "
        "401로 막히므로, 그 키를 가진 사람은 더 쓸 수 없습니다. 프로그램이 멈추지 않게 하려면 먼저 다른 키(KEY 2)로 "
        "바꿔 둔 뒤 유출된 키를 다시 만들고, 나중에 새 키로 되돌리면 됩니다. 키는 코드에 쓰지 말고 환경 변수나 "
        "저장소에 올리지 않는 .env 파일에 두세요.",
        "If a key leaked (pushed to GitHub, pasted in a chat, shown on a shared screen), regenerate it at once: "
        "Azure portal → your resource → Resource Management → Keys and Endpoint → Regenerate Key 1 (or Key 2, "
        "whichever leaked). The old value stops working immediately (401), so whoever has it is locked out. To "
        "keep your programs running, first switch them to the other key (KEY 2), then regenerate the leaked one, "
        "and later move back to the new key. Keep keys out of code: in environment variables or a .env file you "
        "never commit.",
    ),
    Topic(
        (
            "key 1",
            "key 2",
            "key1",
            "key2",
            "two keys",
            "키 1",
            "키 2",
            "키1",
            "키2",
            "두 개의 키",
            "키가 두 개",
            "키 두 개",
        ),
        "KEY 1과 KEY 2는 똑같은 권한을 가진 같은 리소스의 키입니다. 어느 쪽이든 `api-key` 헤더에 넣으면 됩니다. 두 개인 "
        "이유는 중단 없이 키를 바꾸기(교체) 위해서입니다: 프로그램이 KEY 1을 쓰는 동안 KEY 2를 다시 만들고, 새 KEY 2로 "
        "바꾼 다음 KEY 1을 다시 만듭니다. 한 키를 다시 만들어도 다른 키는 그대로 동작합니다.",
        "KEY 1 and KEY 2 are equal: two keys to the same resource with the same access, and either works in the "
        "`api-key` header. There are two so you can change keys without downtime: while your programs use KEY 1 "
        "you regenerate KEY 2, switch them to the new KEY 2, then regenerate KEY 1. Regenerating one key never "
        "affects the other.",
    ),
    Topic(
        ("배포 이름", "배포이름", "deployment name", "model name", "모델명", "모델 이름", "배포", "deployment"),
        "배포 이름은 2단계(모델 배포)에서 여러분이 직접 지은 이름입니다. API를 부를 때 `model` 값(또는 URL의 "
        "`/deployments/{배포 이름}/`)에는 모델명(gpt-4o 등)이 아니라 이 배포 이름을 넣어야 합니다. 이름이 틀리면 "
        "Azure는 404 DeploymentNotFound를 돌려줍니다.",
        "The deployment name is the name you chose in step 2 (deploy a model). When you call the API, the "
        "`model` value (or `/deployments/{deployment}/` in the URL) must be that deployment name, not the model "
        "name such as gpt-4o. A wrong name gets a 404 DeploymentNotFound from Azure.",
    ),
    Topic(
        ("api-version", "api version", "api_version", "버전"),
        "api-version은 모델 버전이 아니라 REST API의 버전입니다. 최신 GA는 2024-10-21, 최신 날짜형 preview는 "
        "2025-04-01-preview이고, 그 뒤로는 api-version이 필요 없는 v1 API(`/openai/v1/`)를 씁니다. "
        "튜토리얼의 2026-01-01-preview는 공개된 버전이 아니어서 404 Resource not found가 납니다.",
        "api-version is the version of the REST API, not of the model. The latest GA is 2024-10-21, the latest "
        "dated preview is 2025-04-01-preview, and after that the v1 API (`/openai/v1/`) needs no api-version. "
        "The tutorial's 2026-01-01-preview is not a published version, so it gets 404 Resource not found.",
    ),
    Topic(
        ("key", "키", "api-key", "api_key"),
        "키는 Azure Portal의 리소스 화면 → [리소스 관리] → [키 및 엔드포인트]에 있습니다. KEY 1과 KEY 2 중 아무거나 "
        "쓰면 되고, 요청 헤더 `api-key`로 보냅니다. OpenAI의 `sk-…` 키는 Azure에서 쓸 수 없습니다.",
        "The key is in the Azure portal: your resource → Resource Management → Keys and Endpoint. Either KEY 1 "
        "or KEY 2 works; it goes in the `api-key` request header. An OpenAI `sk-…` key does not work on Azure.",
    ),
    Topic(
        ("endpoint", "엔드포인트", "url", "주소"),
        "엔드포인트는 `https://{리소스 이름}.openai.azure.com/` 형식입니다(새 리소스는 "
        "`…cognitiveservices.azure.com/`일 수 있습니다). Portal 주소나 Studio 주소가 아니라 [키 및 엔드포인트] "
        "화면에 보이는 값을 그대로 복사하세요.",
        "The endpoint looks like `https://{resource-name}.openai.azure.com/` (newer resources may show "
        "`…cognitiveservices.azure.com/`). Copy it from the Keys and Endpoint page, not the portal or studio "
        "address from your browser.",
    ),
    Topic(
        ("region", "리전", "지역"),
        "모델마다 배포할 수 있는 지역이 다릅니다. 원하는 모델이 목록에 없으면 그 모델을 지원하는 지역(예: East US "
        "2, Sweden Central)에 리소스를 새로 만드세요. 이 데모 서버는 Korea Central인 척합니다.",
        "Each model is available in some regions only. If the model you want is missing, create the resource "
        "in a region that offers it (for example East US 2 or Sweden Central). This demo pretends to be Korea "
        "Central.",
    ),
    Topic(
        ("stream", "스트리밍"),
        "스트리밍(`stream: true`)에서는 Azure가 첫 이벤트로 `choices`가 빈 콘텐츠 필터 결과를 보냅니다. "
        "`chunk.choices[0]`을 바로 읽으면 IndexError가 나므로 빈 choices는 건너뛰세요.",
        "When streaming (`stream: true`), Azure's first event carries content-filter results with an empty "
        "`choices` list. Reading `chunk.choices[0]` straight away raises IndexError, so skip empty choices.",
    ),
    Topic(
        ("hello", "hi", "안녕", "반가"),
        "안녕하세요! 연결이 잘 되었습니다. 저는 AOAI Lab의 오프라인 데모 모델이에요. 배포 이름, api-version, 키, "
        "엔드포인트, 지역에 대해 물어보세요.",
        "Hello! Your connection works. I am AOAI Lab's offline demo model. Ask me about deployment names, "
        "api-version, keys, endpoints or regions.",
    ),
)


def is_korean(text: str) -> bool:
    """True when ``text`` contains Hangul."""
    return bool(_HANGUL.search(text))


def compose_reply(messages: Sequence[Mapping[str, object]], deployment: str) -> str:
    """The demo reply to a conversation: a tutor answer, or an account of what arrived."""
    last_user = next((message_text(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "")
    korean = is_korean(last_user)
    lowered = last_user.lower()
    marker = "[오프라인 데모 · " if korean else "[Offline demo · "
    head = f"{marker}{deployment}] "
    for topic in TOPICS:
        if any(_mentions(lowered, keyword) for keyword in topic.keywords):
            return head + (topic.ko if korean else topic.en)
    system = next((message_text(m.get("content")) for m in messages if m.get("role") in ("system", "developer")), "")
    preview = last_user if len(last_user) <= 80 else last_user[:77] + "..."
    if korean:
        summary = f"메시지 {len(messages)}개를 받았습니다. 마지막 질문: “{preview}” ({len(last_user)}자)."
        extra = f" 시스템 프롬프트도 받았습니다 ({len(system)}자)." if system else ""
        return head + summary + extra + " 실제 Azure에 연결하면 여기에 모델의 답이 나옵니다."
    summary = f"I received {len(messages)} message(s). Your last message: “{preview}” ({len(last_user)} characters)."
    extra = f" A system prompt arrived too ({len(system)} characters)." if system else ""
    return head + summary + extra + " Connected to real Azure, the model's answer appears here."


def _mentions(text: str, keyword: str) -> bool:
    # ASCII keywords must match whole words ("hi" must not match "this"); Korean ones are substrings.
    if keyword.isascii():
        return re.search(rf"(?<![a-z0-9]){re.escape(keyword)}(?![a-z0-9])", text) is not None
    return keyword in text

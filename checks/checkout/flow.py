"""The `checkout:` section of shoplint.yml: one flow, or a list of named flows.

The format is a contract (CONTRACTS.md): `start`, and `steps` that each do exactly one of
`get`, `follow` or `submit`, with optional `fields` and `expect`. The other keys extend it:
`stop_before`, `cart_step`, `payment_hosts`, `credentials`, `prices` and `timeout`, and
`browser: true`, which walks the flow in Chromium (checks/checkout/rendered.py): its steps
may also `click` an element, `fill` and `select` fields (before the step's action) and
`wait_for` an element (after it).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from ground.sections import css_selector, env_name

_ACTIONS = ("get", "follow", "submit", "click")
_BROWSER_ONLY = ("click", "fill", "select", "wait_for")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Expect(_Section):
    status: int | list[int] | None = None  # None: any 2xx, after redirects
    selector: str | None = None  # CSS: an element matching it must be on the page
    contains: str | None = None  # visible text that must be there (case ignored)
    not_contains: str | None = None  # visible text that must not be there (case ignored)
    max_ms: int | None = Field(None, ge=1)  # time budget; None: option max_ms of CHK002

    @field_validator("status")
    @classmethod
    def _http_statuses(cls, status: int | list[int] | None) -> int | list[int] | None:
        for code in [status] if isinstance(status, int) else status or ():
            if not 100 <= code <= 599:
                raise ValueError(f"expected an HTTP status from 100 to 599, got {code}")
        return status

    @field_validator("selector")
    @classmethod
    def _selector(cls, selector: str | None) -> str | None:
        return css_selector(selector)

    def statuses(self) -> tuple[int, ...] | None:
        """The statuses that pass, or None for any 2xx."""
        if self.status is None:
            return None
        return (self.status,) if isinstance(self.status, int) else tuple(self.status)


class Step(_Section):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)

    name: str = Field(min_length=1)
    get: str | None = None  # a path or an absolute URL
    follow: str | None = None  # CSS selector of a link on the current page
    submit: str | None = None  # CSS selector of a form (or of a submit button in one)
    fields: dict[str, str] = Field(default_factory=dict)  # form fields, over the defaults
    # browser flows only: fill and select before the action, wait_for after it
    click: str | None = None  # CSS selector of an element to click
    fill: dict[str, str] = Field(default_factory=dict)  # CSS selector of a field -> text
    select: dict[str, str] = Field(default_factory=dict)  # CSS selector of a select -> choice
    wait_for: str | None = None  # CSS selector of an element that must appear (and show)
    expect: Expect = Field(default_factory=Expect)

    @field_validator("follow", "submit", "click", "wait_for")
    @classmethod
    def _selector(cls, selector: str | None) -> str | None:
        return css_selector(selector)

    @field_validator("fill", "select")
    @classmethod
    def _selector_keys(cls, values: dict[str, str]) -> dict[str, str]:
        for selector in values:
            css_selector(selector)
        return values

    @model_validator(mode="after")
    def _one_action(self) -> Step:
        chosen = [action for action in _ACTIONS if getattr(self, action) is not None]
        if len(chosen) > 1 or not (chosen or self.browser_keys):
            has = f" (it has {', '.join(chosen)})" if chosen else ""
            verbs = "get, follow, submit" + (", click" if self.browser_keys else "")
            raise ValueError(f"step {self.name!r}: do exactly one of {verbs}{has}")
        if self.fields and self.submit is None:
            raise ValueError(f"step {self.name!r}: fields go with submit")
        if self.get is not None and (self.fill or self.select):
            raise ValueError(
                f"step {self.name!r}: fill and select work on the page the step starts on,"
                " which get leaves: put them in a step of their own"
            )
        return self

    @property
    def browser_keys(self) -> list[str]:
        """The keys of the step that only a browser can do."""
        return [key for key in _BROWSER_ONLY if getattr(self, key)]

    @property
    def action(self) -> str:
        """What the step does, as shown: `get /cart/`, `submit form#address`, `click
        button.next`; a step that only fills in fields or waits says so."""
        verb = next((action for action in _ACTIONS if getattr(self, action) is not None), None)
        if verb is not None:
            return f"{verb} {getattr(self, verb)}"
        if self.fill or self.select:
            return f"fill {', '.join([*self.fill, *self.select])}"
        return f"wait for {self.wait_for}"


class BasicAuthEnv(_Section):
    username_env: str  # names of environment variables, never the values
    password_env: str

    @field_validator("username_env", "password_env")
    @classmethod
    def _env_name(cls, name: str) -> str:
        return env_name(name)


class SecretEnv(_Section):
    name: str = Field(min_length=1)  # the header's or cookie's name
    value_env: str  # the environment variable holding its value

    @field_validator("value_env")
    @classmethod
    def _env_name(cls, name: str) -> str:
        return env_name(name)


class Credentials(_Section):
    """How a protected (staging) site lets the flow in; the secrets stay in the environment
    and are sent to the site's own hosts only."""

    basic_auth: BasicAuthEnv | None = None
    header: SecretEnv | None = None
    cookie: SecretEnv | None = None


class Prices(_Section):
    """Where the prices are, after the schema.org markup (JSON-LD offers, itemprop=price)."""

    product: list[str] = Field(default_factory=lambda: [".product-price", ".price"])
    cart: list[str] = Field(
        default_factory=lambda: [".unit-price", ".line-price", ".cart-line .price", ".price"]
    )

    @field_validator("product", "cart")
    @classmethod
    def _selectors(cls, selectors: list[str]) -> list[str]:
        for selector in selectors:
            css_selector(selector)
        return selectors


class Flow(_Section):
    name: str = Field("checkout", min_length=1)
    start: str = Field(min_length=1)  # the product page: a path or an absolute URL
    steps: list[Step] = Field(min_length=1)
    stop_before: str | None = None  # a step's name: the flow stops before it (production)
    cart_step: str | None = None  # the step showing the cart; None: the first with a price
    payment_hosts: list[str] = Field(default_factory=list)  # besides the known providers
    credentials: Credentials | None = None
    prices: Prices = Field(default_factory=Prices)
    timeout: float = Field(30, gt=0)  # seconds for a request, its redirects and answer
    browser: bool = False  # walked in Chromium: clicks, fields and scripts as a customer's

    @model_validator(mode="after")
    def _browser_steps(self) -> Flow:
        if self.browser:
            if self.credentials is not None and self.credentials.header is not None:
                raise ValueError(
                    "credentials.header: not with browser: true (Chromium cannot keep a header"
                    " to the site's own hosts across redirects); use basic_auth or cookie"
                )
            return self
        for step in self.steps:
            if step.browser_keys:
                raise ValueError(
                    f"step {step.name!r}: {step.browser_keys[0]} needs a browser"
                    " (give the flow browser: true)"
                )
        return self

    @field_validator("steps")
    @classmethod
    def _unique_step_names(cls, steps: list[Step]) -> list[Step]:
        names = [step.name for step in steps]
        for index, name in enumerate(names):
            if name in names[:index]:
                raise ValueError(f"two steps are named {name!r} (step names name findings)")
        return steps

    @field_validator("stop_before", "cart_step")
    @classmethod
    def _names_a_step(cls, value: str | None, info: ValidationInfo) -> str | None:
        names = [step.name for step in info.data.get("steps", ())]
        if value is not None and names and value not in names:
            raise ValueError(f"no step is named {value!r} (steps: {', '.join(names)})")
        return value


def as_flow_list(value: Any) -> Any:
    """The section as a list: one flow may be written without the list around it."""
    return [value] if isinstance(value, dict) else value


def unique_names(flows: list[Flow] | None) -> list[Flow] | None:
    for index, flow in enumerate(flows or ()):
        if any(other.name == flow.name for other in flows[:index]):
            raise ValueError(f"two flows are named {flow.name!r} (give each flow its own name)")
    return flows

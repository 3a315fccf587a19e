"""The SellerAccount block: a saved block wins, the environment is the fallback, secrets stay secret."""

from __future__ import annotations

import pytest

from blocks.seller_account import MissingAccount, SellerAccount

ENV = ("SP_API_REFRESH_TOKEN", "LWA_APP_ID", "LWA_CLIENT_SECRET", "SELLEROPS_SPAPI_ENDPOINT",
       "SELLEROPS_LWA_ENDPOINT", "SELLEROPS_SPAPI_MARKETPLACES", "SELLEROPS_SELLER_ID", "SELLEROPS_SOURCE_FOLDER")  # fmt: skip


@pytest.fixture
def clean_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_no_block_and_no_environment_says_what_is_missing(clean_env):
    clean_env.setenv("LWA_APP_ID", "amzn1.application-oa2-client.x")
    with pytest.raises(MissingAccount, match="SP_API_REFRESH_TOKEN, LWA_CLIENT_SECRET not set"):
        SellerAccount.from_env("acme")


def test_environment_account_when_no_block_is_saved(prefect_harness, clean_env):
    clean_env.setenv("SP_API_REFRESH_TOKEN", "Atzr|env-refresh")
    clean_env.setenv("LWA_APP_ID", "app")
    clean_env.setenv("LWA_CLIENT_SECRET", "env-secret")
    clean_env.setenv("SELLEROPS_SPAPI_MARKETPLACES", "US, CA")
    clean_env.setenv("SELLEROPS_SPAPI_ENDPOINT", "http://127.0.0.1:9")

    account = SellerAccount.resolve("no-such-block")

    assert (account.name, account.marketplaces, account.endpoint) == ("no-such-block", ["US", "CA"], "http://127.0.0.1:9")
    assert "Atzr|env-refresh" not in repr(account) and "env-secret" not in repr(account)


def test_saved_block_wins_and_builds_its_source(prefect_harness, clean_env):
    SellerAccount(
        name="acme-jp", refresh_token="Atzr|saved", lwa_app_id="app", lwa_client_secret="saved-secret",
        marketplaces=["JP"], region="FE", seller_id="A2SELLER",
    ).save("acme-jp", overwrite=True)  # fmt: skip
    clean_env.setenv("SELLEROPS_SPAPI_ENDPOINT", "http://127.0.0.1:9")  # a test/sandbox override applies too

    account = SellerAccount.resolve("acme-jp")
    source = account.source()
    try:
        assert account.refresh_token.get_secret_value() == "Atzr|saved"
        assert (source.account, source.marketplace_ids, source.region) == ("acme-jp", ["A1VC38T7YXB528"], "FE")
        assert source.endpoint == "http://127.0.0.1:9" and source.seller_id == "A2SELLER"
        assert "saved-secret" not in repr(source) and "Atzr|saved" not in repr(source)
    finally:
        source.close()


def test_a_folder_account_needs_no_credentials(clean_env, tmp_path):
    from sellerops.amazon.folder import FolderSource

    clean_env.setenv("SELLEROPS_SOURCE_FOLDER", str(tmp_path))
    clean_env.setenv("SELLEROPS_SPAPI_MARKETPLACES", "JP")

    source = SellerAccount.from_env("by-hand").source()

    assert isinstance(source, FolderSource)
    assert (source.account, source.root, source.marketplace_ids) == ("by-hand", tmp_path, ("A1VC38T7YXB528",))


def test_a_saved_account_without_credentials_or_folder_says_what_is_missing(clean_env):
    with pytest.raises(MissingAccount, match="refresh_token, lwa_client_secret missing, and no folder given"):
        SellerAccount(name="half", lwa_app_id="app").source()

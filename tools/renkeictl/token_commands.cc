// renkeictl token keygen|issue|verify: the instance's signing keys and bearer tokens for
// operators (renkei/common/tokens.h). Tokens are printed on stdout only; nothing is logged.
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "gateway/accounts.h"
#include "google/protobuf/util/json_util.h"
#include "renkei/common/tokens.h"
#include "words.h"

namespace renkei::cli {
namespace {

constexpr Word<v1::Role> kRoles[] = {
    {"coordinator", v1::ROLE_COORDINATOR},
    {"municipal_staff", v1::ROLE_MUNICIPAL_STAFF},
    {"prefecture_staff", v1::ROLE_PREFECTURE_STAFF},
    {"national_staff", v1::ROLE_NATIONAL_STAFF},
    {"lead_coordinator", v1::ROLE_LEAD_COORDINATOR},
    {"integration_system", v1::ROLE_INTEGRATION_SYSTEM},
    {"operator", v1::ROLE_OPERATOR},
    {"service", v1::ROLE_SERVICE},
};

struct IssueArgs {
  std::string key_dir, key_id, issuer, audience, subject, role, jurisdiction;
  int64_t ttl_seconds = int64_t{8} * 3600;
};

int RunIssue(const IssueArgs& a) {
  auto key = common::LoadSigningKey(a.key_dir, a.key_id);
  if (!key.ok()) {
    std::fprintf(stderr, "%s\n", std::string(key.status().message()).c_str());
    return kNotFound;
  }
  v1::TokenClaims c;
  c.set_iss(a.issuer.empty() ? a.audience : a.issuer);
  c.set_aud(a.audience);
  c.set_sub(a.subject);
  c.set_role(FromWord(kRoles, a.role, v1::ROLE_UNSPECIFIED));
  c.set_jur(a.jurisdiction);
  const int64_t now = std::time(nullptr);
  c.set_iat(static_cast<uint32_t>(now));
  c.set_exp(static_cast<uint32_t>(now + a.ttl_seconds));
  auto token = common::IssueToken(*key, c);
  if (!token.ok()) {
    std::fprintf(stderr, "%s\n", std::string(token.status().message()).c_str());
    return kFailure;
  }
  std::printf("%s\n", token->c_str());
  return kOk;
}

}  // namespace

void AddTokenCommands(CLI::App& app, std::function<int()>* run) {
  auto* token = app.add_subcommand("token", "署名鍵とアクセストークン / signing keys and tokens");
  token->require_subcommand(1);

  auto keygen_dir = std::make_shared<std::string>();
  auto keygen_id = std::make_shared<std::string>();
  auto* keygen = token->add_subcommand(
      "keygen", "署名鍵 (Ed25519) を作る: <鍵ID>.key (0600) と <鍵ID>.pub / new signing key");
  keygen->add_option("--key-dir", *keygen_dir, "鍵のディレクトリ")->required();
  keygen->add_option("--key-id", *keygen_id, "鍵ID ([A-Za-z0-9_-], 例: k2026-11)")->required();
  keygen->callback([=] {
    *run = [=] {
      auto s = common::GenerateKeyPair(*keygen_dir, *keygen_id);
      if (!s.ok()) {
        std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
        return s.code() == absl::StatusCode::kAlreadyExists ? static_cast<int>(kConflict)
                                                            : static_cast<int>(kInvalidInput);
      }
      std::printf("鍵 %s を作りました: %s/%s.key (秘密鍵, 0600), %s/%s.pub\n", keygen_id->c_str(),
                  keygen_dir->c_str(), keygen_id->c_str(), keygen_dir->c_str(), keygen_id->c_str());
      return static_cast<int>(kOk);
    };
  });

  auto a = std::make_shared<IssueArgs>();
  auto* issue = token->add_subcommand("issue", "アクセストークンを発行 / issue a bearer token");
  issue->add_option("--key-dir", a->key_dir, "鍵のディレクトリ")->required();
  issue->add_option("--key-id", a->key_id, "署名に使う鍵ID")->required();
  issue->add_option("--audience", a->audience, "使うインスタンス (例: m132250)")->required();
  issue->add_option("--issuer", a->issuer, "発行するインスタンス (既定: audience)");
  issue->add_option("--subject", a->subject, "利用者・システムのID")->required();
  issue->add_option("--role", a->role, "役割: " + Choices(kRoles))
      ->required()
      ->check(WordCheck(kRoles, "役割"));
  issue->add_option("--jurisdiction", a->jurisdiction, "管轄コード (例: 132250, 130001, 000000)")
      ->required();
  issue->add_option("--ttl", a->ttl_seconds, "有効期間 (秒, 既定 28800)")
      ->check(CLI::Range(int64_t{60}, int64_t{31} * 86400));
  issue->callback([=] { *run = [=] { return RunIssue(*a); }; });

  auto verify_dir = std::make_shared<std::string>();
  auto verify_aud = std::make_shared<std::string>();
  auto verify_token = std::make_shared<std::string>();
  auto* verify = token->add_subcommand("verify", "トークンを検証して内容を表示 / verify a token");
  verify->add_option("--key-dir", *verify_dir, "鍵のディレクトリ (*.pub)")->required();
  verify->add_option("--audience", *verify_aud, "このインスタンス (例: m132250)")->required();
  verify->add_option("token", *verify_token, "トークン")->required();
  verify->callback([=] {
    *run = [=] {
      auto ring = common::LoadKeyRing(*verify_dir);
      if (!ring.ok()) {
        std::fprintf(stderr, "%s\n", std::string(ring.status().message()).c_str());
        return static_cast<int>(kNotFound);
      }
      auto claims = common::VerifyToken(*ring, *verify_token, std::time(nullptr), *verify_aud);
      if (!claims.ok()) {
        std::fprintf(stderr, "%s\n", std::string(claims.status().message()).c_str());
        return static_cast<int>(kInvalidInput);
      }
      PrintJson(*claims);
      return static_cast<int>(kOk);
    };
  });
}

}  // namespace renkei::cli

namespace renkei::cli {

// renkeictl account add|list: the staff accounts that log in to the console
// (gateway.accounts_file). The password comes from --password-file or the first line of stdin,
// never from the command line.
void AddAccountCommands(CLI::App& app, std::function<int()>* run) {
  auto* account =
      app.add_subcommand("account", "コンソールのログインアカウント / console accounts");
  account->require_subcommand(1);

  struct AddArgs {
    std::string file, login, role, jurisdiction, display_name, password_file;
  };
  auto a = std::make_shared<AddArgs>();
  auto* add = account->add_subcommand(
      "add", "アカウントを追加・パスワードを変更 (パスワードは標準入力の1行目) / add or reset");
  add->add_option("--accounts-file", a->file, "アカウントのファイル (gateway.accounts_file)")
      ->required();
  add->add_option("--login", a->login, "ログインID ([a-z0-9._-], 3〜64文字)")->required();
  add->add_option("--role", a->role, "役割: " + Choices(kRoles))
      ->required()
      ->check(WordCheck(kRoles, "役割"));
  add->add_option("--jurisdiction", a->jurisdiction, "管轄コード (例: 132250)")->required();
  add->add_option("--display-name", a->display_name, "画面に表示する名前");
  add->add_option("--password-file", a->password_file, "パスワードのファイル (既定: 標準入力)");
  add->callback([=] {
    *run = [=] {
      std::string password;
      if (a->password_file.empty()) {
        std::getline(std::cin, password);
      } else {
        std::ifstream in(a->password_file);
        std::getline(in, password);
      }
      v1::GatewayAccount account;
      account.set_login(a->login);
      account.set_role(FromWord(kRoles, a->role, v1::ROLE_UNSPECIFIED));
      account.set_jurisdiction(a->jurisdiction);
      account.set_display_name(a->display_name);
      auto s = gateway::SaveAccount(a->file, account, password);
      if (!s.ok()) {
        std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
        return s.code() == absl::StatusCode::kInvalidArgument ? static_cast<int>(kInvalidInput)
                                                              : static_cast<int>(kFailure);
      }
      std::printf("アカウント %s を保存しました (%s)\n", a->login.c_str(), a->file.c_str());
      return static_cast<int>(kOk);
    };
  });

  auto list_file = std::make_shared<std::string>();
  auto* list = account->add_subcommand("list", "アカウントの一覧 / list accounts");
  list->add_option("--accounts-file", *list_file, "アカウントのファイル")->required();
  list->callback([=] {
    *run = [=] {
      auto accounts = gateway::ReadAccountsFile(*list_file);
      if (!accounts.ok()) {
        std::fprintf(stderr, "%s\n", std::string(accounts.status().message()).c_str());
        return static_cast<int>(kInvalidInput);
      }
      for (auto& acc : *accounts->mutable_accounts()) acc.clear_password_hash();
      PrintJson(*accounts);
      return static_cast<int>(kOk);
    };
  });
}

}  // namespace renkei::cli

// renkeictl instance init|admit|join: a new instance's files, and the leaf link to its parent
// (instance_provisioning.h, docs/provisioning.md). Each ends by saying what to do next.
#include <cstdio>
#include <memory>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "instance_provisioning.h"
#include "renkei/common/events.h"

namespace renkei::cli {
namespace {

const std::vector<std::string> kLevelWords = {"municipality", "prefecture", "national"};

v1::InstanceLevel LevelOf(const std::string& word) {
  if (word == "municipality") return v1::INSTANCE_LEVEL_MUNICIPALITY;
  if (word == "prefecture") return v1::INSTANCE_LEVEL_PREFECTURE;
  if (word == "national") return v1::INSTANCE_LEVEL_NATIONAL;
  return v1::INSTANCE_LEVEL_UNSPECIFIED;
}

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
  switch (s.code()) {
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
      return kConflict;
    case absl::StatusCode::kInvalidArgument:
      return kInvalidInput;
    case absl::StatusCode::kNotFound:
      return kNotFound;
    default:
      return kFailure;
  }
}

struct InitArgs {
  std::string level, parent_level;
  InitOptions options;
};

int RunInit(const InitArgs& a) {
  InitOptions o = a.options;
  o.level = LevelOf(a.level);
  o.parent_level = LevelOf(a.parent_level);
  auto r = InitInstance(o);
  if (!r.ok()) return Fail(r.status());
  const std::string& id = r->instance_id;
  std::printf("インスタンス %s (%s, %s) を作りました / instance %s created in %s:\n", id.c_str(),
              r->name.c_str(), LevelJa(o.level).c_str(), id.c_str(), o.dir.c_str());
  for (const auto& f : r->files) std::printf("  %s\n", f.c_str());
  std::printf(
      "\nコンソールの最初の職員アカウント (仮パスワードはこの一度だけ表示します) / the console's "
      "first staff account (the temporary password is shown this once):\n");
  std::printf("  ログインID / login:               %s\n", r->staff_login.c_str());
  std::printf("  仮パスワード / temporary password: %s\n", r->temporary_password.c_str());
  std::printf("  最初のログインで変更します / to be changed at the first log-in\n");

  std::printf("\n次にすること / next:\n");
  int step = 1;
  if (r->certificate_requested) {
    std::printf(
        "  %d. 証明書署名要求 %s を自団体の認証局で署名し、証明書を %s に、認証局の証明書を %s "
        "に置く\n     (親と同じ認証局、または親が信頼する認証局) / have the CSR signed by the "
        "instance's CA; put the certificate and the CA's certificate there\n",
        step++, r->csr_file.c_str(), r->cert_file.c_str(), r->ca_file.c_str());
  }
  if (!r->parent_id.empty()) {
    std::printf(
        "  %d. %s親 (%s) に %s/join-request.json を送る (秘密は含みません)。親の側で:\n"
        "       renkeictl instance admit --dir <親のディレクトリ> --request join-request.json\n"
        "     / %ssend join-request.json to the parent (no secret in it); the parent runs admit\n",
        step++, r->parent_url ? "" : "連携するとき: ", r->parent_id.c_str(), o.dir.c_str(),
        r->parent_url ? "" : "to federate: ");
    std::printf(
        "  %d. 親から受け取った資格情報で / with the credentials the parent sends back:\n"
        "       renkeictl instance join --dir %s --credentials <資格情報のファイル>\n",
        step++, o.dir.c_str());
  }
  std::printf(
      "  %d. nats-server とサービスを起動する / start the nats-server and the services:\n"
      "       nats-server -c %s/nats.conf\n"
      "       renkei-<service> --config %s/instance.json   (各サービス / each service; または "
      "systemd のユニット / or their systemd units)\n",
      step++, o.dir.c_str(), o.dir.c_str());
  if (r->parent_id.empty()) {
    std::printf(
        "  子のインスタンスは renkeictl instance admit で受け入れます / admit children with "
        "renkeictl instance admit\n");
  }
  return kOk;
}

int RunAdmit(const AdmitOptions& o) {
  auto r = AdmitChild(o);
  if (!r.ok()) return Fail(r.status());
  std::printf("%s を %s の子として受け入れました / %s admitted as a child of %s\n",
              r->child_id.c_str(), r->instance_id.c_str(), r->child_id.c_str(),
              r->instance_id.c_str());
  std::printf("  資格情報 / credentials (0600): %s\n", r->credentials_file.c_str());
  std::printf("  接続先 / leaf-node URL:         %s\n", r->leaf_url.c_str());
  std::printf(
      "  nats-server の設定を更新しました / nats-server configuration rendered: %s/nats.conf\n",
      o.dir.c_str());
  std::printf("\n次にすること / next:\n");
  std::printf(
      "  1. 資格情報のファイルを %s の運用担当に安全な方法で渡す (平文のメールは不可)、渡した後は"
      "削除する\n     / hand the credentials file to %s securely (not by plain e-mail), then "
      "delete it here\n",
      r->child_id.c_str(), r->child_id.c_str());
  std::printf(
      "  2. このインスタンスの nats-server を再起動する%s / restart this instance's "
      "nats-server%s\n",
      r->hub_added ? " (子を受け入れる leaf-node の口が開きます)" : "",
      r->hub_added ? " (it opens the leaf-node hub)" : "");
  std::printf(
      "  3. このインスタンスのサービスを再起動する (新しい子の連携ストリームを作ります) / restart "
      "this instance's services (they add the new child's sources)\n");
  return kOk;
}

int RunJoin(const JoinOptions& o) {
  auto r = JoinParent(o);
  if (!r.ok()) return Fail(r.status());
  std::printf("%s を親 %s に接続する設定にしました / %s joined to its parent %s\n",
              r->instance_id.c_str(), r->parent_id.c_str(), r->instance_id.c_str(),
              r->parent_id.c_str());
  std::printf("  接続先 / leaf-node URL: %s%s\n", r->leaf_url.c_str(),
              r->kept_own_url ? " (init で指定したものを使います / the one given at init)" : "");
  std::printf(
      "  nats-server の設定を更新しました / nats-server configuration rendered: %s/nats.conf\n",
      o.dir.c_str());
  std::printf("\n次にすること / next:\n");
  std::printf(
      "  1. 資格情報のファイルを削除する (パスワードは instance.json と nats.conf にあります) / "
      "delete the credentials file (the password is in instance.json and nats.conf now)\n");
  std::printf(
      "  2. このインスタンスの nats-server を再起動し、サービスを再起動する / restart this "
      "instance's nats-server, then its services\n");
  std::printf("  3. 確認 / check:  renkeictl federation status --config %s/instance.json\n",
              o.dir.c_str());
  return kOk;
}

}  // namespace

void AddInstanceCommands(CLI::App& app, std::function<int()>* run) {
  auto* instance = app.add_subcommand(
      "instance", "インスタンスの作成と親への接続 / provision an instance and its leaf link");
  instance->require_subcommand(1);

  auto a = std::make_shared<InitArgs>();
  auto* init = instance->add_subcommand(
      "init",
      "新しいインスタンスのファイル一式を作る (上書きしません) / write a new instance's files");
  init->add_option("--level", a->level, "municipality|prefecture|national")
      ->required()
      ->check(CLI::IsMember(kLevelWords));
  init->add_option("--code", a->options.code,
                   "団体コード (市区町村: 132250, 都道府県: 13 または 130001, 国: 省略)");
  init->add_option("--dir", a->options.dir, "書き出し先 (例: /etc/renkei/m132250)")->required();
  init->add_option("--data-root", a->options.data_root,
                   "データの置き場所 (既定: --base-port 時 <dir>/data, 本番 "
                   "/var/lib/renkei/<id>/data)");
  init->add_option("--base-port", a->options.base_port,
                   "ローカル構成: ループバックでポート N から (nats N, leaf N+1, gRPC N+11..) / "
                   "local layout; 省略時は本番のポート (4222, 7422, 7101..)");
  init->add_option("--parent-level", a->parent_level, "親の階層 (確認用) / prefecture|national")
      ->check(CLI::IsMember(kLevelWords));
  init->add_option("--parent-code", a->options.parent_code, "親の団体コード (確認用, 例: 130001)");
  init->add_option("--parent-url", a->options.parent_url,
                   "親の leaf-node URL (例: tls://renkei.pref.example.jp:7422; 省略時は join で)");
  init->add_option("--dev-ca", a->options.dev_ca_dir,
                   "開発用 CA のディレクトリ (tools/dev-ca.sh) で証明書を発行; 省略時は鍵と CSR");
  init->add_option("--host", a->options.hosts, "証明書に入れるホスト名 (複数可)");
  init->add_option("--staff-login", a->options.staff_login,
                   "最初の職員アカウントのログインID (既定: <id>-admin)");
  init->add_option("--key-id", a->options.key_id, "トークン署名鍵の ID (既定: <id>-services)");
  init->add_option("--key-dir", a->options.key_dir,
                   "トークン署名鍵の置き場所 (既定: --base-port 時 <dir>/keys, 本番 "
                   "<dir>/../keys/<id>)");
  init->add_option("--service-user", a->options.service_user,
                   "サービスを動かすユーザー (例: renkei): 鍵とデータの置き場所の所有者にする");
  init->add_option("--console-dir", a->options.console_dir,
                   "コンソールのファイル (gateway.static_dir; console/dist)");
  init->callback([run, a] { *run = [a] { return RunInit(*a); }; });

  auto admit_options = std::make_shared<AdmitOptions>();
  auto* admit = instance->add_subcommand(
      "admit", "子の参加申請を受け入れ、資格情報を作る (親の側) / admit a child (parent side)");
  admit->add_option("--dir", admit_options->dir, "このインスタンス (親) のディレクトリ")
      ->required();
  admit->add_option("--request", admit_options->request, "子の join-request.json")->required();
  admit->add_option("--out", admit_options->out,
                    "資格情報の書き出し先 (既定: <dir>/credentials-<子のID>.json)");
  admit->add_option("--leafnode-listen", admit_options->leafnode_listen,
                    "子を受け入れる口 (まだないとき; 既定: 0.0.0.0:7422 またはローカル構成の N+1)");
  admit->add_option("--leaf-url", admit_options->leaf_url,
                    "子が接続する URL (例: tls://renkei.pref.example.jp:7422)");
  admit->callback(
      [run, admit_options] { *run = [admit_options] { return RunAdmit(*admit_options); }; });

  auto join_options = std::make_shared<JoinOptions>();
  auto* join = instance->add_subcommand(
      "join", "親から受け取った資格情報で接続を設定する (子の側) / complete the leaf link");
  join->add_option("--dir", join_options->dir, "このインスタンス (子) のディレクトリ")->required();
  join->add_option("--credentials", join_options->credentials,
                   "親が instance admit で作ったファイル")
      ->required();
  join->callback([run, join_options] { *run = [join_options] { return RunJoin(*join_options); }; });
}

}  // namespace renkei::cli

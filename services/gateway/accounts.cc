#include "accounts.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

#include "google/protobuf/util/json_util.h"
#include "renkei/common/log.h"

namespace renkei::gateway {
namespace {

bool InitSodium() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

}  // namespace

bool IsLogin(const std::string& login) {
  if (login.size() < 3 || login.size() > 64) return false;
  for (char c : login) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return false;
  }
  return true;
}

std::string AccountProblem(const v1::GatewayAccount& a) {
  if (!IsLogin(a.login())) {
    return "login: ログインIDは英小文字・数字・._- の3〜64文字 / [a-z0-9._-]{3,64}";
  }
  if (a.role() == v1::ROLE_UNSPECIFIED || a.role() == v1::ROLE_SERVICE) {
    return "role: 職員の役割を指定してください / a staff role";
  }
  if (a.jurisdiction().empty()) return "jurisdiction: 必須です / required";
  return "";
}

absl::StatusOr<v1::GatewayAccounts> ReadAccountsFile(const std::string& path) {
  v1::GatewayAccounts file;
  std::ifstream in(path);
  if (!in) return file;
  std::stringstream text;
  text << in.rdbuf();
  auto s = google::protobuf::util::JsonStringToMessage(text.str(), &file);
  if (!s.ok()) return absl::InvalidArgumentError(path + ": " + std::string(s.message()));
  std::set<std::string> logins;
  for (int i = 0; i < file.accounts_size(); ++i) {
    const auto& a = file.accounts(i);
    const std::string where = path + ": accounts[" + std::to_string(i) + "].";
    if (std::string problem = AccountProblem(a); !problem.empty()) {
      return absl::InvalidArgumentError(where + problem);
    }
    if (a.password_hash().rfind("$argon2", 0) != 0) {
      return absl::InvalidArgumentError(where + "password_hash: not an Argon2 hash");
    }
    if (!logins.insert(a.login()).second) {
      return absl::InvalidArgumentError(where + "login: duplicate " + a.login());
    }
  }
  return file;
}

absl::StatusOr<Accounts> Accounts::Load(const std::string& path) {
  auto file = ReadAccountsFile(path);
  if (!file.ok()) return file.status();
  Accounts out;
  for (const auto& a : file->accounts()) out.by_login_.emplace(a.login(), a);
  return out;
}

const v1::GatewayAccount* Accounts::Find(const std::string& login) const {
  auto it = by_login_.find(login);
  return it == by_login_.end() ? nullptr : &it->second;
}

const v1::GatewayAccount* Accounts::Verify(const std::string& login,
                                           const std::string& password) const {
  if (!InitSodium()) return nullptr;
  const v1::GatewayAccount* account = Find(login);
  // An unknown login checks a hash all the same, so timing does not tell which logins exist.
  static const std::string dummy = [] {
    auto h = HashPassword("renkei-timing-equalizer");
    return h.ok() ? *h : std::string();
  }();
  const std::string& hash = account != nullptr ? account->password_hash() : dummy;
  const bool match = !hash.empty() &&
                     crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
  return match && account != nullptr ? account : nullptr;
}

absl::StatusOr<std::string> HashPassword(const std::string& password) {
  if (!InitSodium()) return absl::InternalError("libsodium did not initialize");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return absl::ResourceExhaustedError("password hashing ran out of memory");
  }
  return std::string(out);
}

std::string TemporaryPassword() {
  static constexpr char kChars[] = "abcdefghjkmnpqrstuvwxyz23456789";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i > 0 && i % 4 == 0) out += '-';
    out += kChars[randombytes_uniform(sizeof(kChars) - 1)];
  }
  return out;
}

absl::Status SaveAccount(const std::string& path, v1::GatewayAccount account,
                         const std::string& password) {
  if (std::string problem = AccountProblem(account); !problem.empty()) {
    return absl::InvalidArgumentError(problem);
  }
  if (password.size() < 12) {
    return absl::InvalidArgumentError(
        "password: 12文字以上にしてください / at least 12 characters");
  }
  auto hash = HashPassword(password);
  if (!hash.ok()) return hash.status();
  account.set_password_hash(*hash);

  return UpdateAccountsFile(path, [&](v1::GatewayAccounts* file) {
    bool replaced = false;
    for (auto& a : *file->mutable_accounts()) {
      if (a.login() == account.login()) {
        // The second factor and the record of who made it stay unless the caller set them.
        if (account.totp_secret().empty()) {
          account.set_totp_secret(a.totp_secret());
          account.set_totp_last_step(a.totp_last_step());
          *account.mutable_recovery_code_hashes() = a.recovery_code_hashes();
        }
        if (account.created_at() == 0) account.set_created_at(a.created_at());
        a = account;
        replaced = true;
      }
    }
    if (!replaced) *file->add_accounts() = account;
    return absl::OkStatus();
  });
}

absl::Status WriteAccountsFile(const std::string& path, const v1::GatewayAccounts& file) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(file, &json, options);
  // A fresh file of a name of its own (two writers never share one) that only this user
  // reads, synced, then renamed over the old.
  std::string tmp = path + ".XXXXXX";
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);  // mode 0600
  if (fd < 0) return absl::PermissionDeniedError("cannot create " + tmp);
  bool written = true;
  for (size_t done = 0; done < json.size() && written;) {
    const ssize_t n = ::write(fd, json.data() + done, json.size() - done);
    written = n > 0;
    if (written) done += static_cast<size_t>(n);
  }
  written = written && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    ::unlink(tmp.c_str());
    return absl::DataLossError("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return absl::PermissionDeniedError("cannot replace " + path);
  }
  const std::string dir = std::filesystem::path(path).parent_path().string();
  if (const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return absl::OkStatus();
}

absl::Status UpdateAccountsFile(const std::string& path,
                                const std::function<absl::Status(v1::GatewayAccounts*)>& change) {
  // One writer at a time: threads of this process (the mutex) and other processes — the gateway
  // and renkeictl — through an advisory lock on <file>.lock held from the read to the rename.
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  const std::string lock_path = path + ".lock";
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) return absl::PermissionDeniedError("cannot open " + lock_path);
  if (::flock(lock_fd, LOCK_EX) != 0) {
    ::close(lock_fd);
    return absl::InternalError("cannot lock " + lock_path);
  }
  absl::Status result;
  auto read = ReadAccountsFile(path);
  if (!read.ok()) {
    result = read.status();
  } else {
    v1::GatewayAccounts file = std::move(*read);
    const std::string before = file.SerializeAsString();
    result = change(&file);
    // Nothing changed (a wrong code): nothing written.
    if (result.ok() && file.SerializeAsString() != before) result = WriteAccountsFile(path, file);
  }
  ::flock(lock_fd, LOCK_UN);
  ::close(lock_fd);
  return result;
}

absl::StatusOr<std::unique_ptr<AccountStore>> AccountStore::Open(const std::string& path,
                                                                 const common::Clock* clock) {
  std::unique_ptr<AccountStore> store(new AccountStore(path, clock));
  auto accounts = Accounts::Load(path);
  if (!accounts.ok()) return accounts.status();
  store->current_ = std::make_shared<const Accounts>(std::move(*accounts));
  store->stamp_ = FileStamp(path);
  store->checked_ = clock->NowMicros();
  return store;
}

std::string AccountStore::FileStamp(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "";
  return std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

std::shared_ptr<const Accounts> AccountStore::Get() {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = clock_->NowMicros();
  if (now - checked_ >= 1000000) {
    checked_ = now;
    ReloadLocked(false);
  }
  return current_;
}

void AccountStore::ReloadLocked(bool force) {
  const std::string stamp = FileStamp(path_);
  if (!force && stamp == stamp_) return;
  auto accounts = Accounts::Load(path_);
  if (!accounts.ok()) {
    // A file being edited by hand may be malformed for a moment: the last good accounts stay.
    common::LogLine(common::LogLevel::kError, "accounts file not reloaded")
        .Field("error", std::string(accounts.status().message()));
    stamp_ = stamp;
    return;
  }
  std::shared_ptr<const Accounts> before = current_;
  current_ = std::make_shared<const Accounts>(std::move(*accounts));
  if (on_change_ && before) on_change_(*before, *current_);
  if (stamp_ != stamp) {
    common::LogLine(common::LogLevel::kInfo, "accounts reloaded")
        .Field("accounts", static_cast<int64_t>(current_->size()));
  }
  stamp_ = stamp;
}

absl::Status AccountStore::Update(const std::function<absl::Status(v1::GatewayAccounts*)>& change) {
  auto s = UpdateAccountsFile(path_, change);
  std::lock_guard<std::mutex> lock(mu_);
  ReloadLocked(true);
  return s;
}

}  // namespace renkei::gateway

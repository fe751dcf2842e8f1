// The staff accounts that log in to the console (gateway.accounts_file): login, Argon2id password
// hash (libsodium crypto_pwhash_str), role, jurisdiction, display name. `renkeictl account add`
// writes the file; the gateway reads it at start.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "renkei/common/clock.h"
#include "renkei/v1/gateway.pb.h"

namespace renkei::gateway {

class Accounts {
 public:
  // A missing file is an empty set of accounts; a malformed one is an error naming the entry.
  static absl::StatusOr<Accounts> Load(const std::string& path);
  // The account whose login and password match; null otherwise. Takes about as long for an
  // unknown login as for a wrong password (a hash is checked either way).
  const v1::GatewayAccount* Verify(const std::string& login, const std::string& password) const;
  const v1::GatewayAccount* Find(const std::string& login) const;
  size_t size() const { return by_login_.size(); }
  const std::map<std::string, v1::GatewayAccount>& all() const { return by_login_; }

 private:
  std::map<std::string, v1::GatewayAccount> by_login_;
};

// [a-z0-9._-]{3,64}
bool IsLogin(const std::string& login);

// What is wrong with an account's login, role or jurisdiction ("field: problem"); "" when fine.
std::string AccountProblem(const v1::GatewayAccount& account);

// The accounts file as written (a missing file: no accounts); a malformed file or entry is an
// error naming it.
absl::StatusOr<v1::GatewayAccounts> ReadAccountsFile(const std::string& path);

// An Argon2id hash of the password (crypto_pwhash_str, interactive limits).
absl::StatusOr<std::string> HashPassword(const std::string& password);

// A password given to someone to replace at their first log-in: 16 letters and digits that
// cannot be mistaken for one another when read aloud or from paper, in groups of four.
std::string TemporaryPassword();

// Adds or replaces `account` (its password hashed here) in the file, written atomically with
// mode 0600. Passwords shorter than 12 characters are refused. A replaced account keeps its second
// factor and creation time unless `account` sets them.
absl::Status SaveAccount(const std::string& path, v1::GatewayAccount account,
                         const std::string& password);

// The whole file, written atomically (a temporary file synced, then renamed) with mode 0600.
absl::Status WriteAccountsFile(const std::string& path, const v1::GatewayAccounts& file);
// Reads the file, applies `change`, writes it back (nothing is written when `change` fails).
absl::Status UpdateAccountsFile(const std::string& path,
                                const std::function<absl::Status(v1::GatewayAccounts*)>& change);

// The accounts as the gateway serves them: re-read when the file changed (checked at most once a
// second: accounts added, disabled or changed with renkeictl take effect without a restart; a
// malformed file keeps the last good accounts and is logged), and changed through Update.
// Thread-safe.
class AccountStore {
 public:
  static absl::StatusOr<std::unique_ptr<AccountStore>> Open(
      const std::string& path, const common::Clock* clock = common::SystemClock::Get());
  // The current accounts; hold the pointer while using what it holds.
  std::shared_ptr<const Accounts> Get();
  // UpdateAccountsFile, then the new file becomes the current accounts.
  absl::Status Update(const std::function<absl::Status(v1::GatewayAccounts*)>& change);
  // Called (under the store's lock: it must not call Get) with the accounts before and after
  // each reload that changed them.
  using ChangeListener = std::function<void(const Accounts& before, const Accounts& after)>;
  void set_on_change(ChangeListener listener) { on_change_ = std::move(listener); }
  const std::string& path() const { return path_; }

 private:
  AccountStore(std::string path, const common::Clock* clock)
      : path_(std::move(path)), clock_(clock) {}
  static std::string FileStamp(const std::string& path);
  void ReloadLocked(bool force);

  std::string path_;
  const common::Clock* clock_;
  std::mutex mu_;
  std::shared_ptr<const Accounts> current_;
  std::string stamp_;
  int64_t checked_ = 0;
  ChangeListener on_change_;
};

}  // namespace renkei::gateway

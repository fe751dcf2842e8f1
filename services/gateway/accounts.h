// The staff accounts that log in to the console (gateway.accounts_file): login, Argon2id password
// hash (libsodium crypto_pwhash_str), role, jurisdiction, display name. `renkeictl account add`
// writes the file; the gateway reads it at start.
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"
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

// Adds or replaces `account` (its password hashed here) in the file, written atomically with
// mode 0600. Passwords shorter than 12 characters are refused.
absl::Status SaveAccount(const std::string& path, v1::GatewayAccount account,
                         const std::string& password);

}  // namespace renkei::gateway

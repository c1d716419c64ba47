/** The admin API's directory shapes the Users, Groups and role pages read (see /api/docs). */

export interface DirectoryUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  accountEnabled: boolean;
  passwordSet: boolean;
  createdDateTime: string;
  lastModifiedDateTime: string;
}

export interface DirectoryGroup {
  id: string;
  displayName: string;
  description: string | null;
  createdDateTime: string;
}

export interface GroupReference {
  id: string;
  displayName: string;
}

export interface GroupMember {
  id: string;
  userPrincipalName: string;
  displayName: string;
  addedDateTime: string;
}

export interface RoleDefinition {
  id: string;
  displayName: string;
  description: string;
}

export interface RoleAssignment {
  id: string;
  principalId: string;
  principalUserPrincipalName: string;
  principalDisplayName: string;
  roleDefinitionId: string;
  roleDisplayName: string;
  createdDateTime: string;
}

export interface VerifiedDomain {
  domain: string;
  createdDateTime: string;
}

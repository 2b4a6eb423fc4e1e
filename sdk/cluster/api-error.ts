/** An error the API server turns into a Kubernetes Status. */
export class ApiError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string) {
    super(message);
    this.name = "ApiError";
  }
}
